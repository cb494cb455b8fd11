namespace BertFunctions.Serving.Tests;

/// <summary>One host for the request tests, with a promoted model "inputs" as its default.</summary>
public sealed class InputsHost(ServingWorld world) : IAsyncLifetime
{
    public const string Model = "inputs";

    public ServingHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await world.WritePackageAsync(Model, "v1", seed: 3);
        await world.PromoteAsync(Model, "v1");
        Host = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = Model);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
