using System.Net;
using System.Text.Json;

namespace BertFunctions.Serving.Tests;

/// <summary>What a good request gets back: shape, header, top_k, health.</summary>
public sealed class ResponseTests(InputsHost fixture) : IClassFixture<InputsHost>
{
    private ServingHost Host => fixture.Host;

    [Fact]
    public async Task One_text_gets_label_score_probabilities_and_the_model_version_in_body_and_header()
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await Host.PostJsonAsync("{\"text\": \"Win a FREE cruise now!!!\"}", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["inputs/v1"], response.Headers.GetValues("X-Model-Version"));

        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["model", "version", "results"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("inputs", "v1"), (root.GetProperty("model").GetString(), root.GetProperty("version").GetString()));
        var result = Assert.Single(root.GetProperty("results").EnumerateArray());
        Assert.Equal(["label", "score", "probabilities", "truncated"], result.EnumerateObject().Select(p => p.Name));
        var probabilities = result.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(["ham", "spam"], probabilities.Keys.Order());
        Assert.Equal(1.0, probabilities.Values.Sum(), 5);
        Assert.Equal(probabilities.MaxBy(p => p.Value).Key, result.GetProperty("label").GetString());
        Assert.Equal(probabilities.Values.Max(), result.GetProperty("score").GetDouble(), 6);
        Assert.Equal(probabilities.Values.OrderDescending(), probabilities.Values); // most probable first
        Assert.False(result.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Texts_are_answered_in_order_the_same_alone_or_in_a_batch_and_top_k_limits_the_classes()
    {
        var ct = TestContext.Current.CancellationToken;
        string[] texts = ["short", "a somewhat longer text about a meeting next tuesday at noon in the big room", "Cheap meds!!! $$$"];
        var (batch, _) = await Host.ClassifyAsync(texts, model: null, ct);
        for (var i = 0; i < texts.Length; i++)
        {
            var (alone, _) = await Host.ClassifyAsync([texts[i]], model: null, ct);
            Assert.Equal(alone.Results[0].Label, batch.Results[i].Label);
            Assert.Equal(alone.Results[0].Score, batch.Results[i].Score, 5); // padding changes nothing beyond float noise
        }

        using var top = await Host.PostJsonAsync("{\"texts\": [\"short\", \"Cheap meds!!! $$$\"], \"top_k\": 1, \"model\": \"inputs/v1\"}", ct);
        var results = JsonDocument.Parse(await top.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("results");
        Assert.All(results.EnumerateArray(), r => Assert.Equal([r.GetProperty("label").GetString()!], r.GetProperty("probabilities").EnumerateObject().Select(p => p.Name)));

        using var many = await Host.PostJsonAsync("{\"text\": \"short\", \"top_k\": 50, \"model\": null}", ct);
        Assert.Equal(2, JsonDocument.Parse(await many.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("results")[0].GetProperty("probabilities").EnumerateObject().Count());
    }

    [Fact]
    public async Task Health_reports_the_default_model_ready_with_its_version_and_load_times()
    {
        var ct = TestContext.Current.CancellationToken;
        await Host.ClassifyAsync(["warm"], model: null, ct);
        using var response = await Host.Client.GetAsync("/api/classify/health", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonDocument.Parse(text).RootElement;
        Assert.Equal("ready", health.GetProperty("state").GetString());
        var model = health.GetProperty("default_model");
        Assert.Equal(("inputs", "ready", "v1"), (model.GetProperty("model").GetString(), model.GetProperty("state").GetString(), model.GetProperty("version").GetString()));
        Assert.True(model.GetProperty("load_ms").GetDouble() > 0);
        Assert.True(model.GetProperty("warm_up_ms").GetDouble() > 0);
        Assert.Equal(64, model.GetProperty("max_seq_len").GetInt32());
        Assert.StartsWith("dataset spam/", model.GetProperty("tokenization").GetString(), StringComparison.Ordinal);
        Assert.Equal("none", model.GetProperty("quantization").GetString());
    }
}
