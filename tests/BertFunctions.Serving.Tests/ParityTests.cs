using BertFunctions.Datasets;
using BertFunctions.Modeling;
using BertFunctions.Tokenization;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Serving.Tests;

/// <summary>The serving path (package in Blob Storage → tokenizer → ONNX Runtime) against training's (example builder → TorchSharp).</summary>
public sealed class ParityTests(ServingWorld world, ITestOutputHelper output)
{
    private static readonly string[] ShortTexts = ["Win a FREE cruise now!!! Click here: $100 cash", "Meeting moved to 3pm, see you there.", "héllo wörld — ÇA VA? 😀"];

    [Fact]
    public async Task Onnx_Runtime_logits_through_the_serving_path_equal_TorchSharps_on_the_training_examples()
    {
        var ct = TestContext.Current.CancellationToken;
        using var torchModel = TinyClassifiers.Create(seed: 7);
        await world.WritePackageAsync("parity", "v1", torchModel);
        await world.PromoteAsync("parity", "v1");
        await using var host = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = "parity");
        string[] texts = [.. world.Emails.Take(12).Select(e => e.Text), .. ShortTexts];

        // Training's path: the dataset's options and vocabulary, the example builder, TorchSharp.
        var vocabulary = TokenVocabulary.Load(MiniLmPretrained.OpenVocabulary(), new BertTokenizerOptions { LowerCase = true });
        var builder = new ClassificationExampleBuilder(vocabulary, LabelSet.FromLabels(["ham", "spam"]), ServingWorld.Classification);
        var examples = texts.Select(t => builder.Build(t, null).InputIds).ToList();
        var expected = TinyClassifiers.Logits(torchModel, examples);

        using (var lease = await host.Models.AcquireAsync(null, ct))
        {
            Assert.Equal(("parity", "v1"), (lease.Model.Name, lease.Model.Version));
            Assert.Equal($"dataset spam/{world.Manifest.Version}", lease.Model.Tokenization.Source);
            Assert.Equal(ServingWorld.Classification, lease.Model.Tokenization.Classification);
            Assert.Equal(examples, texts.Select(t => lease.Model.Encode(t).InputIds));

            var served = lease.Model.Classify(texts, maxBatchSize: 5); // several padded batches, sorted by length
            var diff = served.Zip(expected, (s, e) => s.Logits.Zip(e, (a, b) => Math.Abs((double)a - b)).Max()).Max();
            output.WriteLine($"{texts.Length} texts, {served.Count(s => s.Truncated)} truncated; max |ORT - TorchSharp| = {diff:E2}");
            Assert.True(diff <= 1e-4, $"max logit difference {diff:E2}");
            Assert.Equal(texts.Select(t => vocabulary.Tokenizer.EncodeIdsInto(t, []) > ServingWorld.Classification.MaxSeqLen - 2), served.Select(s => s.Truncated));
            Assert.Contains(served, s => s.Truncated);
            Assert.Contains(served, s => !s.Truncated);
        }

        // The emails' ids are exactly those in the dataset version's shards: what the model was trained on.
        var shardSequences = new HashSet<string>(StringComparer.Ordinal);
        var reader = new DatasetVersionReader(world.Blobs, world.Manifest);
        foreach (var split in world.Manifest.Splits.Keys)
        {
            await foreach (var example in reader.ReadAsync(split, ct))
            {
                shardSequences.Add(string.Join(',', example.InputIds));
            }
        }

        Assert.All(examples.Take(12), ids => Assert.Contains(string.Join(',', ids), shardSequences));

        // Through HTTP: the probabilities are the softmax of TorchSharp's logits.
        var (response, header) = await host.ClassifyAsync(texts, model: null, ct);
        Assert.Equal("parity/v1", header);
        for (var i = 0; i < texts.Length; i++)
        {
            var softmax = Softmax(expected[i]);
            Assert.True(Math.Abs(response.Results[i].Probabilities["ham"] - softmax[0]) <= 1e-4);
            Assert.True(Math.Abs(response.Results[i].Probabilities["spam"] - softmax[1]) <= 1e-4);
            Assert.Equal(softmax[1] > softmax[0] ? "spam" : "ham", response.Results[i].Label);
        }

        Assert.Empty(host.Logs.AtLeast(LogLevel.Warning));
    }

    private static double[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - (double)max)).ToArray();
        return [.. exp.Select(e => e / exp.Sum())];
    }
}
