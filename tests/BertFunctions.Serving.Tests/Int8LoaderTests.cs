using BertFunctions.Serving.Models;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Serving.Tests;

/// <summary>Serving:Quantization: the loader quantizes model.onnx at load when asked, and only then.</summary>
public sealed class Int8LoaderTests(ServingWorld world)
{
    [Fact]
    public async Task With_int8_the_loader_serves_the_quantized_model_and_by_default_the_float32_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await world.WritePackageAsync("quantized", "v1", seed: 23);
        await world.PromoteAsync("quantized", "v1");
        string[] texts = [.. world.Emails.Take(8).Select(e => e.Text)];

        await using var plain = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = "quantized");
        await using var int8 = await ServingHost.StartAsync(world.Blobs, o => (o.DefaultModel, o.Quantization) = ("quantized", "INT8")); // configuration is case-insensitive
        using var plainLease = await plain.Models.AcquireAsync(null, ct);
        using var int8Lease = await int8.Models.AcquireAsync(null, ct);

        Assert.Equal(ModelQuantization.None, plainLease.Model.Quantization);
        Assert.Equal(ModelQuantization.DynamicInt8, int8Lease.Model.Quantization);
        Assert.Contains(int8.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Loaded model quantized/v1 (int8", StringComparison.Ordinal));

        var expected = plainLease.Model.Classify(texts);
        var served = int8Lease.Model.Classify(texts);
        var scale = expected.SelectMany(r => r.Logits).Max(Math.Abs);
        var difference = expected.Zip(served, (e, s) => e.Logits.Zip(s.Logits, (a, b) => Math.Abs(a - b)).Max()).Max();
        Assert.True(difference > 0, "the int8 host runs the float32 graph");
        Assert.True(difference <= 0.05 * scale, $"max |Δ logit| {difference} against logits up to {scale}");
    }

    [Theory]
    [InlineData("none", true)]
    [InlineData("int8", true)]
    [InlineData(" Int8 ", true)]
    [InlineData("fp16", false)]
    [InlineData("", false)]
    public void Only_none_and_int8_are_valid_settings(string value, bool valid)
    {
        var problems = new ServingOptions { Quantization = value }.Problems();
        Assert.Equal(valid, problems.Count == 0);
        if (!valid)
        {
            Assert.Contains(problems, p => p.StartsWith("Serving:Quantization must be one of none, int8", StringComparison.Ordinal));
        }
    }
}
