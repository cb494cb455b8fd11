namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// How an experiment spends its compute budget (<see cref="Orchestrators.ExperimentPlanner"/>): every fine-tuning arm
/// and every pretraining job, with its steps, tokens and training FLOPs, and the sentences that say why.
/// </summary>
/// <param name="Budget">The budget as the user gave it.</param>
/// <param name="BudgetFlops">The budget in training FLOPs.</param>
/// <param name="FlopsPerSecond">The trainer's sustained rate the plan converts time with (pipeline setting).</param>
/// <param name="Jobs">Fine-tuning arms (one entry per strategy and label budget, for all its seeds) and pretraining jobs (each paid once).</param>
/// <param name="ScratchSize">The size chosen for the model from scratch (null: none, or the request's own scratch_config).</param>
/// <param name="Notes">The plan in words, for the status, the CLI and the report.</param>
public sealed record ExperimentPlan(
    string Budget,
    double BudgetFlops,
    double FlopsPerSecond,
    IReadOnlyList<PlannedJob> Jobs,
    string? ScratchSize,
    IReadOnlyList<string> Notes)
{
    /// <summary>The scratch model's config.json fields: the size chosen, or the request's scratch_config.</summary>
    public System.Text.Json.JsonElement? ScratchConfig { get; init; }

    /// <summary>What the planned jobs spend together, at most <see cref="BudgetFlops"/>.</summary>
    public double PlannedFlops => Jobs.Sum(j => j.Flops);

    /// <summary>The planned steps of the pretraining job <paramref name="arm"/> (<c>dapt-mlm</c>, <c>scratch-mlm</c>...), or null when it has none.</summary>
    public long? StepsOf(string arm) => Jobs.FirstOrDefault(j => j.Pretraining && j.Arm == arm)?.Steps;
}

/// <summary>One line of a plan.</summary>
/// <param name="Arm">A pretraining job's arm (<c>dapt-mlm</c>) or a fine-tuning arm (<c>finetune b50</c>).</param>
/// <param name="Pretraining">Paid once per strategy (true), or a fine-tuning arm run once per seed (false).</param>
/// <param name="Count">Jobs of this line: 1 for pretraining, the seeds for a fine-tuning arm.</param>
/// <param name="Steps">Optimizer steps of each job (at most: head fitting stops early).</param>
/// <param name="Tokens">Token positions each job trains on.</param>
/// <param name="Flops">Training FLOPs of the line, all its jobs together.</param>
public sealed record PlannedJob(string Arm, bool Pretraining, int Count, long Steps, long Tokens, double Flops);
