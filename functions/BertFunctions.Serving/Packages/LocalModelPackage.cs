using BertFunctions.Contracts.Packages;

namespace BertFunctions.Serving.Packages;

/// <summary>A package's files on local disk, verified against its manifest.</summary>
/// <param name="Folder">Holds <see cref="ModelPackageCache.ServedFiles"/> and the manifest.</param>
public sealed record LocalModelPackage(string Name, string Version, string Folder, ModelPackageManifest Manifest)
{
    public string PathOf(string file) => Path.Combine(Folder, file);
}
