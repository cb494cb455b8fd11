using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BertFunctions.Orchestration.Tests;

/// <summary>Starting a run the way the HTTP API does, and reading what it left in storage.</summary>
internal static class Runs
{
    public static async Task<string> StartAsync(PipelineFixture fixture, TrainingRunRequest request, RunSettings? settings = null)
    {
        var uploads = await fixture.Get<UploadInspector>().InspectAsync(request.Dataset, TestContext.Current.CancellationToken);
        var id = RunIds.Run(request.Dataset, request.Strategy, uploads.Fingerprint, request.Hash());
        await fixture.Client.ScheduleNewOrchestrationInstanceAsync(nameof(TrainingRunOrchestrator), new TrainingRunInput(request, settings ?? fixture.Options.RunSettings), new StartOrchestrationOptions(id), TestContext.Current.CancellationToken);
        return id;
    }

    public static async Task<OrchestrationMetadata> WaitAsync(PipelineFixture fixture, string id, int seconds = 120)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        return await fixture.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
    }

    public static async Task<RunRecord?> RecordAsync(PipelineFixture fixture, string id) =>
        await new ReadRunRecordActivity(fixture.Blobs).RunAsync(null!, id);

    public static async Task<LiveModel?> LiveAsync(PipelineFixture fixture, string model) =>
        (await new ReadLiveModelActivity(fixture.Blobs).RunAsync(null!, model)).Live;

    public static async Task<bool> ManifestExistsAsync(PipelineFixture fixture, string dataset, string version) =>
        await fixture.Blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer).GetBlobClient(StorageLayout.Manifest(dataset, version)).ExistsAsync(TestContext.Current.CancellationToken);
}
