using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Serving.Live;

/// <summary>
/// The models serving answers with (a singleton). A name resolves to its live version (<c>models/{name}/live.json</c>),
/// name/version to that version. The first request of a reference waits for its load; after that requests never
/// wait: at most every <see cref="ServingOptions.RefreshInterval"/> a request starts a background check of live.json
/// (a conditional GET), and a new version is downloaded, loaded and warmed up beside the current one, then swapped in
/// atomically. Requests hold a <see cref="ModelLease"/>, so the version they started with is disposed only after the
/// last of them ends. A version that fails to load leaves the current one serving.
/// </summary>
public sealed partial class LiveModelCache(ModelLoader loader, BlobServiceClient blobs, IOptions<ServingOptions> options, TimeProvider time, ILogger<LiveModelCache> logger)
    : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, ModelSlot> slots = new(StringComparer.Ordinal);
    private readonly BlobContainerClient models = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
    private readonly CancellationTokenSource stopping = new();
    private int disposed;

    /// <summary>
    /// A lease on the model for <paramref name="model"/> (null: <see cref="ServingOptions.DefaultModel"/>); dispose it
    /// when the request is done with the model.
    /// </summary>
    /// <exception cref="ArgumentException">The reference is malformed, or none was given and there is no default.</exception>
    /// <exception cref="ModelUnavailableException">No model: nothing live, no such version, or it failed to load.</exception>
    public async Task<ModelLease> AcquireAsync(string? model, CancellationToken cancellationToken)
    {
        var reference = Resolve(model);
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            var slot = Slot(reference);
            if (slot.Current is { } current)
            {
                RefreshIfDue(slot);
                if (current.TryAcquire())
                {
                    return new ModelLease(current);
                }

                continue; // swapped out between the read and the acquire: the next read sees its successor
            }

            if (slot.Problem is { } problem && time.GetUtcNow() < slot.NextCheck && !slot.RefreshRunning)
            {
                throw problem.Again(); // remembered until the next check, so a burst of requests does not hammer storage
            }

            await StartRefresh(slot).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (slot.Current is null && !slot.Evicted)
            {
                throw slot.Problem?.Again() ?? new ModelUnavailableException(ModelProblem.LoadFailed, $"model {reference} is not loaded");
            }
        }
    }

    /// <summary>Starts loading <paramref name="model"/> without waiting (host start, health probes).</summary>
    public void Preload(string model) => RefreshIfDue(Slot(Resolve(model)), force: true);

    /// <summary>Where <paramref name="model"/> (null: the default) stands; starts loading it if nothing has yet, and a check of live.json when one is due.</summary>
    public ModelStatus Status(string? model)
    {
        var slot = Slot(Resolve(model));
        RefreshIfDue(slot, force: slot.Current is null && slot.Problem is null); // a probe keeps the answer current, as a request would
        return Describe(slot);
    }

    /// <summary>Every reference the cache holds, without loading anything.</summary>
    public IReadOnlyList<ModelStatus> Statuses() => [.. slots.Values.OrderBy(s => s.Reference.Key, StringComparer.Ordinal).Select(Describe)];

    private static ModelStatus Describe(ModelSlot slot)
    {
        var current = slot.Current;
        // A re-check of a model known to be unavailable is not "loading": it stays unavailable until a check says otherwise.
        var state = current is not null ? ModelStatus.Ready
            : slot.Problem is null ? ModelStatus.Loading
            : ModelStatus.Unavailable;
        return new ModelStatus(
            slot.Reference.Key,
            state,
            current?.Model.Version,
            current?.LoadedAt,
            current?.LoadTime.TotalMilliseconds,
            current?.WarmUpTime.TotalMilliseconds,
            slot.CheckedAt,
            slot.Problem?.Message,
            current?.Model.Tokenization.Source,
            current?.Model.Tokenization.Classification.MaxSeqLen,
            current?.Model.Quantization);
    }

    private ModelReference Resolve(string? model) =>
        ModelReference.Parse(model ?? options.Value.DefaultModel
            ?? throw new ArgumentException("name a model: the request has no 'model' and this endpoint has no default model", nameof(model)));

    private ModelSlot Slot(ModelReference reference)
    {
        var slot = slots.GetOrAdd(reference.Key, static (_, r) => new ModelSlot(r), reference);
        slot.Touch(time.GetTimestamp());
        if (slots.Count > options.Value.MaxLoadedModels)
        {
            EvictLeastRecentlyUsed(slot);
        }

        return slot;
    }

    private void EvictLeastRecentlyUsed(ModelSlot keep)
    {
        var defaultKey = options.Value.DefaultModel;
        var victim = slots.Values
            .Where(s => s != keep && s.Reference.Key != defaultKey)
            .OrderBy(s => s.LastUsed)
            .FirstOrDefault();
        if (victim is not null && slots.TryRemove(new KeyValuePair<string, ModelSlot>(victim.Reference.Key, victim)))
        {
            LogEvicted(victim.Reference.Key);
            victim.Evict()?.Release();
        }
    }

    private void RefreshIfDue(ModelSlot slot, bool force = false)
    {
        // A pinned version is immutable: once loaded there is nothing to check.
        if ((slot.Reference.IsLive || slot.Current is null) && (force || time.GetUtcNow() >= slot.NextCheck))
        {
            _ = StartRefresh(slot);
        }
    }

    private Task StartRefresh(ModelSlot slot)
    {
        lock (slot.Gate)
        {
            if (slot.Refresh is { IsCompleted: false } running)
            {
                return running;
            }

            if (slot.Evicted || stopping.IsCancellationRequested)
            {
                return Task.CompletedTask;
            }

            // Not the request's token: a load outlives the request that started it.
            return slot.Refresh = Task.Run(() => RefreshAsync(slot, stopping.Token), CancellationToken.None);
        }
    }

    /// <summary>Finds the version the slot should serve and loads it if it is not current. Never throws: problems go to the slot.</summary>
    private async Task RefreshAsync(ModelSlot slot, CancellationToken cancellationToken)
    {
        var reference = slot.Reference;
        var settings = options.Value;
        var next = settings.RefreshInterval;
        try
        {
            var version = reference.Version;
            ETag? etag = null;
            if (version is null)
            {
                if (await ReadLivePointerAsync(slot, cancellationToken).ConfigureAwait(false) is not { } pointer)
                {
                    return; // live.json unchanged since the current version was installed
                }

                (version, etag) = pointer;
            }

            if (slot.Current?.Model.Version != version)
            {
                var loaded = Shared(reference.Name, version) ?? await loader.LoadAsync(reference.Name, version, cancellationToken).ConfigureAwait(false);
                if (!slot.TryInstall(loaded, out var replaced))
                {
                    loaded.Release();
                    return;
                }

                LogSwapped(reference.Key, version, replaced?.Model.Version ?? "none");
                replaced?.Release();
            }

            slot.LiveETag = etag;
            slot.Problem = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ModelUnavailableException e)
        {
            // Said once, not at every check: nothing promoted yet is a normal state that can last.
            if (slot.Problem?.Message != e.Message)
            {
                LogUnavailable(reference.Key, e.Message, slot.Current?.Model.Version ?? "none");
            }

            slot.Problem = e;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Storage down, a corrupt or incompatible package: keep serving what is current, try again later.
            next = settings.FailedLoadRetryInterval;
            slot.Problem = new ModelUnavailableException(ModelProblem.LoadFailed, $"model {reference} could not be loaded: {e.Message}", e);
            LogLoadFailed(e, reference.Key, slot.Current?.Model.Version ?? "none");
        }
        finally
        {
            var now = time.GetUtcNow();
            slot.CheckedAt = now;
            slot.NextCheck = now + next;
        }
    }

    /// <summary>The version live.json names and its ETag; null when it is unchanged since the current version was installed.</summary>
    private async Task<(string Version, ETag ETag)?> ReadLivePointerAsync(ModelSlot slot, CancellationToken cancellationToken)
    {
        var name = slot.Reference.Name;
        var conditions = slot.Current is not null && slot.LiveETag is { } known ? new BlobRequestConditions { IfNoneMatch = known } : null;
        try
        {
            var response = await models.GetBlobClient(StorageLayout.LiveModel(name))
                .DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            if (response.GetRawResponse().Status == 304)
            {
                return null;
            }

            return (LiveModel.Parse(response.Value.Content.ToMemory().Span, name).Version, response.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 304)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ModelUnavailableException(ModelProblem.NoLiveModel, $"model '{name}' has no live version: nothing has been promoted ({StorageLayout.ModelsContainer}/{StorageLayout.LiveModel(name)} does not exist)", e);
        }
    }

    /// <summary>A reference to the same version already loaded for another slot (pinning the live version loads nothing).</summary>
    private LoadedModel? Shared(string name, string version)
    {
        var key = $"{name}/{version}";
        foreach (var other in slots.Values)
        {
            if (other.Current is { } loaded && loaded.Key == key && loaded.TryAcquire())
            {
                return loaded;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        var running = Shutdown();
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            stopping.Dispose();
        }
    }

    public void Dispose()
    {
        // Refreshes still running see the cancellation, or find their slot evicted and release what they loaded.
        Shutdown();
    }

    private Task[] Shutdown()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return [];
        }

        stopping.Cancel();
        var running = new List<Task>();
        foreach (var key in slots.Keys)
        {
            if (slots.TryRemove(key, out var slot))
            {
                lock (slot.Gate)
                {
                    if (slot.Refresh is { } refresh)
                    {
                        running.Add(refresh);
                    }
                }

                slot.Evict()?.Release(); // in-flight requests keep theirs until they end
            }
        }

        return [.. running];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: now serving version {Version} (was {Previous})")]
    private partial void LogSwapped(string model, string version, string previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: {Reason}; serving version {Current}")]
    private partial void LogUnavailable(string model, string reason, string current);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} could not be loaded; serving version {Current}, retrying later")]
    private partial void LogLoadFailed(Exception exception, string model, string current);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: unloaded, least recently used beyond the limit of loaded models")]
    private partial void LogEvicted(string model);
}
