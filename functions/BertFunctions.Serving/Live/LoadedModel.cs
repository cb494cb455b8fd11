using BertFunctions.Serving.Models;

namespace BertFunctions.Serving.Live;

/// <summary>
/// A loaded model and its reference count. The cache holds one reference while the model is current; each request
/// holds one while it runs. The model is disposed when the count reaches zero, so a swap or an eviction never
/// disposes a session under a request: the last request out turns off the light.
/// </summary>
internal sealed class LoadedModel(ClassificationModel model, DateTimeOffset loadedAt, TimeSpan loadTime, TimeSpan warmUpTime)
{
    private int references = 1;

    public ClassificationModel Model { get; } = model;

    public DateTimeOffset LoadedAt { get; } = loadedAt;

    /// <summary>Download (if not cached), tokenizer and ONNX Runtime session.</summary>
    public TimeSpan LoadTime { get; } = loadTime;

    /// <summary>The first inference, run before the model takes traffic (ONNX Runtime allocates and tunes on it).</summary>
    public TimeSpan WarmUpTime { get; } = warmUpTime;

    public string Key => $"{Model.Name}/{Model.Version}";

    /// <summary>Takes a reference unless the model is already on its way out (count zero).</summary>
    public bool TryAcquire()
    {
        var count = Volatile.Read(ref references);
        while (count > 0)
        {
            var seen = Interlocked.CompareExchange(ref references, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref references) == 0)
        {
            Model.Dispose();
        }
    }
}
