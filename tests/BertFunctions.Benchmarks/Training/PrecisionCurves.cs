using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace BertFunctions.Benchmarks.Training;

/// <summary>
/// <c>--curves OUT.png LABEL=metrics.json ...</c>: the validation loss of several jobs (and their training loss, as a
/// moving average over 10 steps) on one plot, from the <c>metrics.json</c> each job writes beside its final
/// checkpoint. For comparisons such as float32 against bf16 (docs/results.md).
/// </summary>
public static class PrecisionCurves
{
    public static void Run(string[] args)
    {
        if (args.Length < 3 || args.Skip(2).Any(a => !a.Contains('=', StringComparison.Ordinal)))
        {
            Console.Error.WriteLine("usage: --curves OUT.png LABEL=metrics.json [LABEL=metrics.json ...]");
            Environment.ExitCode = 64;
            return;
        }

        var plot = new Plot();
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = "masked-LM loss (cross-entropy per masked token)";
        foreach (var pair in args.Skip(2))
        {
            var (label, path) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            var losses = root.GetProperty("loss_curve").EnumerateArray().Select(p => (Step: p.GetProperty("step").GetDouble(), Loss: p.GetProperty("loss").GetDouble())).ToList();
            var smoothed = losses.Select((p, i) => (p.Step, Loss: losses.Skip(Math.Max(0, i - 9)).Take(Math.Min(10, i + 1)).Average(q => q.Loss))).ToList();
            var train = plot.Add.Scatter(smoothed.Select(p => p.Step).ToArray(), smoothed.Select(p => p.Loss).ToArray());
            train.LegendText = $"{label}: training loss (mean of 10 steps)";
            train.MarkerSize = 0;
            train.LineWidth = 1;
            var evaluations = root.GetProperty("evaluations").EnumerateArray()
                .Select(e => (Step: e.GetProperty("step").GetDouble(), Loss: e.GetProperty("metrics").GetProperty("loss").GetDouble())).ToList();
            if (root.GetProperty("metrics").TryGetProperty("validation.loss", out var final))
            {
                evaluations.Add((root.GetProperty("steps").GetDouble(), final.GetDouble()));
            }

            var validation = plot.Add.Scatter(evaluations.Select(p => p.Step).ToArray(), evaluations.Select(p => p.Loss).ToArray());
            validation.LegendText = $"{label}: validation loss";
            validation.LineWidth = 2;
            validation.MarkerSize = 7;
            validation.Color = train.Color;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: validation loss {string.Join(", ", evaluations.Select(e => $"step {e.Step:F0} {e.Loss:F4}"))}"));
        }

        plot.Title("float32 and bf16 mixed precision: the same job");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(args[1], 900, 520);
        Console.WriteLine($"wrote {args[1]}");
    }
}
