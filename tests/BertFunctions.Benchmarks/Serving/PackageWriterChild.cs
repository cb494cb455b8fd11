using Azure.Storage.Blobs;
using BertFunctions.Contracts.Training;
using BertFunctions.Export;
using BertFunctions.Modeling;
using TorchSharp;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// The only part of the serving bench that uses TorchSharp, run in a child process: writes a model package with the
/// trainer's own writer. The model is the real all-MiniLM-L6-v2 encoder with a 2-label head that is random (seeded),
/// not trained: inference cost does not depend on the head's values.
/// </summary>
internal static class PackageWriterChild
{
    public const string Marker = "WROTE ";

    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var (version, seed) = (Arg("--version"), int.Parse(Arg("--seed"), System.Globalization.CultureInfo.InvariantCulture));
        var config = MiniLmPretrained.Config with
        {
            NumLabels = 2,
            Id2Label = new Dictionary<string, string> { ["0"] = "ham", ["1"] = "spam" },
            Label2Id = new Dictionary<string, int> { ["ham"] = 0, ["spam"] = 1 },
            Architectures = null,
        };
        torch.manual_seed(seed);
        using var model = new BertForSequenceClassification(config);
        var weights = MiniLmPretrained.ReadStateDict();
        try
        {
            StrictLoader.Load(model.Bert, weights, "all-MiniLM-L6-v2 (model.onnx)");
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }

        model.eval();
        var job = new TrainingJobSpec
        {
            JobId = $"{BenchModels.Name}-{version}".ToLowerInvariant(),
            Mode = JobMode.Classify,
            Base = ModelBase.MiniLm,
            Dataset = new DatasetReference(Arg("--dataset"), Arg("--dataset-version")),
            Output = new ModelPackageReference(BenchModels.Name, version),
        }.ToJson();
        var content = new ModelPackageContent(BenchModels.Name, version, model, config, MiniLmPretrained.ReadVocabulary(), """{"note": "random head, not trained"}""", job);
        var manifest = await new ModelPackageWriter(new BlobServiceClient(Arg("--storage"))).WriteAsync(content).ConfigureAwait(false);
        Console.WriteLine(Marker + manifest.Version);
        return 0;
    }
}
