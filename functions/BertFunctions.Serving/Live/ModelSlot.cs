using Azure;

namespace BertFunctions.Serving.Live;

/// <summary>
/// The cache's place for one reference (a live name or a pinned version): the model now current, the refresh in
/// flight, and what the last check found. Requests read <see cref="Current"/> without locks; installing, evicting and
/// starting a refresh take <see cref="Gate"/>. One refresh at a time, so its own fields need no lock.
/// </summary>
internal sealed class ModelSlot(ModelReference reference)
{
    private LoadedModel? current;
    private ModelUnavailableException? problem;
    private long nextCheckTicks;
    private long checkedAtTicks;
    private long lastUsed;

    public ModelReference Reference { get; } = reference;

    public object Gate { get; } = new();

    /// <summary>The refresh in flight or last run (guarded by <see cref="Gate"/>).</summary>
    public Task? Refresh { get; set; }

    /// <summary>Removed from the cache: nothing may be installed any more (guarded by <see cref="Gate"/>).</summary>
    public bool Evicted { get; private set; }

    /// <summary>The ETag of the live.json whose version is current: a conditional GET finds an unchanged pointer for free.</summary>
    public ETag? LiveETag { get; set; }

    public LoadedModel? Current => Volatile.Read(ref current);

    /// <summary>Why the last check gave no (new) model; null when it was fine.</summary>
    public ModelUnavailableException? Problem
    {
        get => Volatile.Read(ref problem);
        set => Volatile.Write(ref problem, value);
    }

    public DateTimeOffset NextCheck
    {
        get => new(Volatile.Read(ref nextCheckTicks), TimeSpan.Zero);
        set => Volatile.Write(ref nextCheckTicks, value.UtcTicks);
    }

    public DateTimeOffset? CheckedAt
    {
        get => Volatile.Read(ref checkedAtTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        set => Volatile.Write(ref checkedAtTicks, value?.UtcTicks ?? 0);
    }

    public long LastUsed => Volatile.Read(ref lastUsed);

    public void Touch(long timestamp) => Volatile.Write(ref lastUsed, timestamp);

    public bool RefreshRunning
    {
        get
        {
            lock (Gate)
            {
                return Refresh is { IsCompleted: false };
            }
        }
    }

    /// <summary>Makes <paramref name="model"/> current (the caller's reference moves to the slot); false when evicted. <paramref name="replaced"/> is the caller's to release.</summary>
    public bool TryInstall(LoadedModel model, out LoadedModel? replaced)
    {
        lock (Gate)
        {
            if (Evicted)
            {
                replaced = null;
                return false;
            }

            replaced = current;
            Volatile.Write(ref current, model);
            return true;
        }
    }

    /// <summary>Takes the slot out of service; returns its model, for the caller to release.</summary>
    public LoadedModel? Evict()
    {
        lock (Gate)
        {
            Evicted = true;
            var model = current;
            Volatile.Write(ref current, null);
            return model;
        }
    }
}
