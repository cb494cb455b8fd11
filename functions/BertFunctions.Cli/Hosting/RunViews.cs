using System.Globalization;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Cli.Hosting;

/// <summary>How a run's and an experiment's status read as one progress line (demo, compare, runs follow).</summary>
internal static class RunViews
{
    public static readonly StatusFollower.View<RunStatusResponse> Run = new(
        Describe,
        s => s?.Percent ?? 0,
        s => s?.RuntimeStatus is "Completed" or "Failed" or "Terminated" or RunStates.Completed or RunStates.Failed or RunStates.Cancelled);

    public static readonly StatusFollower.View<ExperimentStatusResponse> Experiment = new(
        s => s is null ? "waiting for the experiment to start"
            : s.Message is { } m && m.StartsWith("plan: ", StringComparison.Ordinal) ? string.Create(CultureInfo.InvariantCulture, $"{s.Percent ?? 0:F0}% {m}")
            : string.Create(CultureInfo.InvariantCulture, $"{s.Percent ?? 0:F0}% {s.Phase ?? s.RuntimeStatus}"),
        s => s?.Percent ?? 0,
        s => s?.RuntimeStatus is "Completed" or "Failed" or "Terminated");

    private static string Describe(RunStatusResponse? s)
    {
        if (s is null)
        {
            return "waiting for the upload watcher to start the run";
        }

        var text = s.Phase ?? s.RuntimeStatus;
        if (s.TotalSteps is > 0)
        {
            text += $" step {s.Step}/{s.TotalSteps}";
        }

        if (s.Loss is { } loss)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" loss {loss:F4}");
        }

        if (s.EtaSeconds is { } eta)
        {
            text += $" eta {TimeSpan.FromSeconds(Math.Round(eta)):mm\\:ss}";
        }

        return text;
    }
}
