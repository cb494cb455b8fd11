using System.Diagnostics;
using System.Text.Json;
using BertFunctions.Serving.Api;
using BertFunctions.Serving.Models;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// One caller at a time, three ways on the same inputs: the endpoint over loopback HTTP; ClassificationModel.Classify
/// in this process (the endpoint's work without HTTP, JSON, routing and the model lease: tokenization, tensors,
/// inference, softmax); and the bare ONNX Runtime session on ids prepared beforehand (inference only). The three run
/// in alternating blocks, so that all see the same background load and no session's spinning threads overlap another's
/// block for long. Differences between neighbours say where time goes.
/// </summary>
internal sealed class SequentialComparison(HttpClient client, ClassificationModel model, BareSession bare, int padId)
{
    private const int Block = 50;

    public sealed record Result(Latencies Endpoint, Latencies InProcess, Latencies Bare);

    /// <summary>Each input is a request of its texts; <paramref name="perMethod"/> timed requests per way, after <paramref name="warmUp"/> untimed.</summary>
    public async Task<Result> RunAsync(IReadOnlyList<IReadOnlyList<string>> inputs, int perMethod, int warmUp, int block = Block)
    {
        var bodies = inputs.Select(BenchHost.Body).ToArray();
        var prepared = inputs.Select(texts => BareSession.Prepare([.. texts.Select(t => model.Encode(t).InputIds)], padId)).ToArray();
        await CheckAgreementAsync(inputs[0], bodies[0], prepared[0]).ConfigureAwait(false);

        var result = new Result(new Latencies(), new Latencies(), new Latencies());
        var discard = new Result(new Latencies(), new Latencies(), new Latencies());
        var done = -warmUp;
        while (done < perMethod)
        {
            var sink = done < 0 ? discard : result;
            var count = done < 0 ? Math.Min(block, -done) : Math.Min(block, perMethod - done);
            var first = done + warmUp;
            done += count;
            for (var i = 0; i < count; i++)
            {
                var k = (first + i) % inputs.Count;
                var started = Stopwatch.GetTimestamp();
                var (status, _, answer) = await BenchHost.PostAsync(client, bodies[k], CancellationToken.None).ConfigureAwait(false);
                sink.Endpoint.AddSince(started);
                if (status != 200)
                {
                    throw new InvalidOperationException($"the endpoint answered {BenchHost.Describe(status, answer)}");
                }
            }

            for (var i = 0; i < count; i++)
            {
                var k = (first + i) % inputs.Count;
                var started = Stopwatch.GetTimestamp();
                model.Classify(inputs[k]);
                sink.InProcess.AddSince(started);
            }

            for (var i = 0; i < count; i++)
            {
                var k = (first + i) % inputs.Count;
                var started = Stopwatch.GetTimestamp();
                bare.Run(prepared[k]);
                sink.Bare.AddSince(started);
            }
        }

        return result;
    }

    /// <summary>The three ways must compute the same thing: the same logits from the same ids, whatever the route.</summary>
    private async Task CheckAgreementAsync(IReadOnlyList<string> texts, byte[] body, BareSession.Batch prepared)
    {
        var (status, _, answer) = await BenchHost.PostAsync(client, body, CancellationToken.None).ConfigureAwait(false);
        if (status != 200)
        {
            throw new InvalidOperationException($"the endpoint answered {BenchHost.Describe(status, answer)}");
        }

        var endpoint = JsonSerializer.Deserialize<ClassifyResponse>(answer, ClassifyApi.JsonOptions)!;
        var local = model.Classify(texts);
        var logits = bare.Run(prepared);
        var labels = model.Labels.Count;
        for (var i = 0; i < texts.Count; i++)
        {
            for (var c = 0; c < labels; c++)
            {
                // Padding a row to a longer batch changes the float summation order a little, hence the tolerance.
                var label = model.Labels[c];
                if (Math.Abs(local[i].Logits[c] - logits[(i * labels) + c]) > 1e-3 || Math.Abs(local[i].Probabilities[label] - endpoint.Results[i].Probabilities[label]) > 1e-5)
                {
                    throw new InvalidOperationException($"text {i}: the endpoint, ClassificationModel and the bare session disagree on {label}");
                }
            }
        }
    }
}
