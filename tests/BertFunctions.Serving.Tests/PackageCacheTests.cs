using BertFunctions.Serving.Packages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BertFunctions.Serving.Tests;

/// <summary>Packages on local disk: downloaded once, verified, repaired when damaged; no weights that serving does not use.</summary>
public sealed class PackageCacheTests(ServingWorld world) : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("serving-cache-");

    [Fact]
    public async Task A_package_is_downloaded_once_without_its_safetensors_and_a_damaged_copy_is_downloaded_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await world.WritePackageAsync("cached", "v1", seed: 61);
        var cache = new ModelPackageCache(world.Blobs, Options.Create(new ServingOptions { CacheDirectory = folder.FullName }), TimeProvider.System, NullLogger<ModelPackageCache>.Instance);

        var package = await cache.GetAsync("cached", "v1", ct);
        Assert.Equal(["config.json", "job.json", "model.onnx", "package.json", "tokenizer_config.json", "vocab.txt"], Directory.GetFiles(package.Folder).Select(Path.GetFileName).Order());
        Assert.Equal(Path.Combine(folder.FullName, "cached", "v1"), package.Folder);
        var written = File.GetLastWriteTimeUtc(package.PathOf("model.onnx"));

        await Task.Delay(50, ct);
        Assert.Equal(written, File.GetLastWriteTimeUtc((await cache.GetAsync("cached", "v1", ct)).PathOf("model.onnx")));

        await File.WriteAllTextAsync(package.PathOf("model.onnx"), "truncated", ct);
        var repaired = await cache.GetAsync("cached", "v1", ct);
        Assert.Equal(repaired.Manifest.File("model.onnx").Size, new FileInfo(repaired.PathOf("model.onnx")).Length);
        Assert.Empty(Directory.GetDirectories(Path.Combine(folder.FullName, "cached"), ".*")); // no partial folders left

        var missing = await Assert.ThrowsAsync<ModelUnavailableException>(() => cache.GetAsync("cached", "v9", ct));
        Assert.Equal(ModelProblem.NotFound, missing.Problem);
    }

    public void Dispose() => folder.Delete(recursive: true);
}
