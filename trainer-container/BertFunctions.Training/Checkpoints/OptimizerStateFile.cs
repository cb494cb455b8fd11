using System.Text.Json;
using BertFunctions.Modeling;
using BertFunctions.Training.Optimization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BertFunctions.Training.Checkpoints;

/// <summary>One parameter group of <c>optimizer.json</c>.</summary>
public sealed record OptimizerGroupEntry(string Name, double WeightDecay, IReadOnlyList<string> Parameters);

/// <summary><c>optimizer.json</c>: the index of <c>optimizer.safetensors</c>.</summary>
public sealed record OptimizerIndex(string Optimizer, double Beta1, double Beta2, double Epsilon, IReadOnlyList<OptimizerGroupEntry> Groups, IReadOnlyDictionary<string, long> Steps);

/// <summary>
/// AdamW's state as files: the two moments of every parameter in safetensors under <c>{name}.exp_avg</c> and
/// <c>{name}.exp_avg_sq</c>, and per-parameter step counts in JSON. TorchSharp keeps one state per parameter in
/// the order of the parameter groups, which is the order of <see cref="WeightDecayGroups.All"/>.
/// </summary>
public static class OptimizerStateFile
{
    /// <summary>Writes the state of <paramref name="optimizer"/>.</summary>
    public static void Save(AdamW optimizer, WeightDecayGroups groups, double weightDecay, string folder)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(groups);
        var names = groups.All.Select(p => p.Name).ToList();
        var states = States(optimizer, names.Count);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var steps = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            tensors[names[i] + ".exp_avg"] = states[i].exp_avg;
            tensors[names[i] + ".exp_avg_sq"] = states[i].exp_avg_sq;
            steps[names[i]] = states[i].step;
        }

        SafeTensors.Write(Path.Combine(folder, CheckpointFiles.Optimizer), tensors);
        var index = new OptimizerIndex("AdamW", 0.9, 0.999, 1e-8,
            [new("decay", weightDecay, groups.Decay.Select(p => p.Name).ToList()), new("no_decay", 0, groups.NoDecay.Select(p => p.Name).ToList())],
            steps);
        File.WriteAllText(Path.Combine(folder, CheckpointFiles.OptimizerIndex), JsonSerializer.Serialize(index, CheckpointManifest.JsonOptions));
    }

    /// <summary>Restores the state into a freshly built <paramref name="optimizer"/> over the same parameters.</summary>
    public static void Load(AdamW optimizer, WeightDecayGroups groups, string folder)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(groups);
        var index = JsonSerializer.Deserialize<OptimizerIndex>(File.ReadAllText(Path.Combine(folder, CheckpointFiles.OptimizerIndex)), CheckpointManifest.JsonOptions)
            ?? throw new InvalidDataException("optimizer.json is empty");
        var names = groups.All.Select(p => p.Name).ToList();
        var saved = index.Groups.SelectMany(g => g.Parameters).ToList();
        if (!names.SequenceEqual(saved, StringComparer.Ordinal))
        {
            throw new InvalidDataException("optimizer.json lists other parameters than the model has (different architecture?)");
        }

        var tensors = SafeTensors.Read(Path.Combine(folder, CheckpointFiles.Optimizer));
        try
        {
            var states = States(optimizer, names.Count);
            using var noGrad = no_grad();
            for (var i = 0; i < names.Count; i++)
            {
                states[i].exp_avg.copy_(tensors[names[i] + ".exp_avg"]);
                states[i].exp_avg_sq.copy_(tensors[names[i] + ".exp_avg_sq"]);
                states[i].step = index.Steps[names[i]];
            }
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    private static List<AdamW.State> States(AdamW optimizer, int expected)
    {
        var states = optimizer.state_dict().State.Cast<AdamW.State>().ToList();
        if (states.Count != expected)
        {
            throw new InvalidOperationException($"AdamW holds {states.Count} parameter states, expected {expected}");
        }

        return states;
    }
}
