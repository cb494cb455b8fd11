using BertFunctions.Serving.Models;

namespace BertFunctions.Serving.Live;

/// <summary>A model held for one request: it stays usable until the lease is disposed, whatever is promoted meanwhile.</summary>
public sealed class ModelLease : IDisposable
{
    private LoadedModel? loaded;

    internal ModelLease(LoadedModel loaded)
    {
        this.loaded = loaded;
        Model = loaded.Model;
    }

    public ClassificationModel Model { get; }

    public void Dispose() => Interlocked.Exchange(ref loaded, null)?.Release();
}
