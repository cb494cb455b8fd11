using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>One fine-tuning arm of an experiment: a strategy at a label budget with a seed.</summary>
public sealed record ExperimentArm(TrainingStrategy Strategy, int Budget, int Seed)
{
    /// <summary>The arm as progress messages name it, e.g. <c>dapt budget 200 seed 42</c>.</summary>
    public string Label => $"{TrainingStrategyNames.Name(Strategy)} budget {LabelBudgets.Name(Budget)} seed {Seed}";
}
