using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Trainer;

/// <summary>Registers the training library's job runner (with model packages) behind <see cref="ITrainingJobRunner"/>.</summary>
public static class TrainingRunnerRegistration
{
    public static IServiceCollection AddTrainingRunner(this IServiceCollection services) =>
        services.AddSingleton<ITrainingJobRunner>(sp =>
        {
            var blobs = sp.GetRequiredService<StorageClients>().Blobs;
            return new LibraryRunner(TrainingJobRunner.Create(blobs, sp.GetRequiredService<ILoggerFactory>(), new JobPackageWriter(blobs)));
        });

    private sealed class LibraryRunner(TrainingJobRunner runner) : ITrainingJobRunner
    {
        public async Task<bool> RunAsync(TrainingJobSpec spec, IProgress<TrainingEvent> events, CancellationToken cancellationToken)
        {
            using var result = await runner.RunAsync(spec, events, cancellationToken).ConfigureAwait(false);
            return result.Succeeded;
        }
    }
}
