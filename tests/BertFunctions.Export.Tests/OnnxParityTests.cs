namespace BertFunctions.Export.Tests;

/// <summary>The export in ONNX Runtime (ORT_ENABLE_ALL) against TorchSharp's logits, on real tokenized sentences.</summary>
public sealed class OnnxParityTests(ExportedModels models, ITestOutputHelper output) : IClassFixture<ExportedModels>
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("minilm", 48)]
    [InlineData("minilm-pooled", 48)]
    [InlineData("minilm-mean", 48)]
    [InlineData("tiny", 64)]
    public void Logits_match_torchsharp_on_brown_sentences_batched_with_padding(string name, int count)
    {
        var model = models[name];
        var inputs = models.Inputs.Sample(count, seed: 20261127);
        var lengths = inputs.Select(s => s.Ids.Length).ToList();
        Assert.Contains(1, lengths);
        Assert.Contains(BrownInputs.MaxLength, lengths);
        Assert.Contains(inputs, s => s.Types.Contains(1));

        var maxDiff = 0.0;
        var maxLogit = 0.0;
        foreach (var chunk in inputs.Chunk(16))
        {
            var batch = Batch.Pad(chunk);
            maxDiff = Math.Max(maxDiff, model.MaxDifference(batch));
            maxLogit = Math.Max(maxLogit, batch.TorchLogits(model.Model).Max(Math.Abs));
        }

        output.WriteLine($"{model.Name}: {count} inputs, {lengths.Min()}..{lengths.Max()} tokens, batches of 16; max |logit| {maxLogit:F4}, max |ORT - TorchSharp| = {maxDiff:E2}");
        Assert.True(maxLogit > 0.05, "logits near zero would make the comparison meaningless");
        Assert.True(maxDiff <= Tolerance, $"max |Δlogits| {maxDiff:E2} > {Tolerance:E0}");
    }

    [Theory]
    [InlineData("minilm", 1, 5)]
    [InlineData("minilm", 7, 128)]
    [InlineData("minilm-pooled", 7, 128)]
    [InlineData("minilm-mean", 7, 128)]
    [InlineData("tiny", 1, 5)]
    [InlineData("tiny", 1, 128)]
    [InlineData("tiny", 7, 5)]
    [InlineData("tiny", 7, 128)]
    public void One_session_serves_any_batch_size_and_sequence_length(string name, int batchSize, int length)
    {
        var model = models[name];
        var batch = Batch.Pad(models.Inputs.OfLength(batchSize, length, seed: batchSize * 1000 + length));
        var diff = model.MaxDifference(batch);
        output.WriteLine($"{model.Name}, batch {batchSize} x {length}: max |ORT - TorchSharp| = {diff:E2}");
        Assert.True(diff <= Tolerance, $"max |Δlogits| {diff:E2} > {Tolerance:E0}");
    }

    [Fact]
    public void Padding_does_not_change_a_sequence_logits()
    {
        var model = models.Tiny;
        var sentence = models.Inputs.Encode("The jury said it did find that many of Georgia's registration laws are outmoded.");
        var alone = model.Onnx.Logits(Batch.Pad([sentence]));
        var padded = model.Onnx.Logits(Batch.Pad([sentence, models.Inputs.OfLength(1, 128, seed: 3)[0]]));
        var diff = alone.Zip(padded.Take(alone.Length), (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"alone vs padded to 128: {diff:E2}");
        Assert.True(diff <= 1e-5, $"{diff:E2}");
    }

    [Fact]
    public void A_row_that_is_all_padding_gives_the_same_finite_logits_as_torchsharp()
    {
        var model = models.Tiny;
        var batch = Batch.Pad([models.Inputs.Encode("A short one."), models.Inputs.Encode("Another, slightly longer, sentence here.")]);
        Array.Fill(batch.Mask, 0L, batch.Length, batch.Length); // second row: every position masked
        var diff = model.MaxDifference(batch);
        output.WriteLine($"all-padding row: max |ORT - TorchSharp| = {diff:E2}");
        Assert.True(diff <= Tolerance, $"{diff:E2}");
    }
}
