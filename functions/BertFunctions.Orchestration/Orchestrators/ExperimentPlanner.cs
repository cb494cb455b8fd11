using System.Globalization;
using System.Text.Json;
using BertFunctions.Datasets;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// Spends an experiment's compute budget. Every cost is in training FLOPs, 6 × parameters × tokens (Kaplan et al.
/// 2020; parameters without the embeddings, plus the MLM decoder at the masked positions), so that a small model from
/// scratch and MiniLM are priced alike; a time budget is converted at the trainer's sustained rate (a pipeline
/// setting). The order is the comparison's: fine-tuning comes first, every arm at every label budget and seed with
/// the steps <see cref="FineTuningPlan"/> gives it (an under-trained arm compares nothing), and a budget that cannot pay
/// for that is refused before any compute is spent. What remains goes to pretraining, paid once per strategy: the MLM
/// head fitting of a base without one (capped, it stops early), then equal shares for the adaptations and the model
/// from scratch. Without a scratch_config, the scratch model is the largest of Turc et al.'s (2019) compact BERTs
/// that its share can train on at least 20 tokens per parameter (Hoffmann et al. 2022); the Cramming recipe's other
/// advice (short sequences, no NSP) is already how pretraining runs here.
/// </summary>
public static class ExperimentPlanner
{
    /// <summary>Token positions per example: the default sequence length of classification and of pretraining.</summary>
    public static readonly int SequenceLength = new PretrainingOptions().MaxSeqLen;

    /// <summary>The MLM head fitting stops early; it is planned at no more than this many steps.</summary>
    public const long HeadFittingSteps = 250;

    /// <summary>A pretraining job gets at least this many steps, or the budget is refused.</summary>
    public const long MinPretrainingSteps = 20;

    /// <summary>The share of positions BERT masks, where the masked-only MLM head computes its vocabulary projection.</summary>
    private const double MaskedShare = 0.15;

    /// <summary>The bundled vocabulary's size (bert-base-uncased).</summary>
    private const long BundledVocabulary = 30_522;

    /// <summary>Turc et al. (2019), "Well-Read Students Learn Better": compact BERTs, smallest first (H/64 heads, FFN 4H).</summary>
    public static IReadOnlyList<(string Name, JsonElement Config)> ScratchSizes { get; } =
    [
        ("tiny (2 layers, hidden 128)", Config(2, 128)),
        ("mini (4 layers, hidden 256)", Config(4, 256)),
        ("small (4 layers, hidden 512)", Config(4, 512)),
        ("medium (8 layers, hidden 512)", Config(8, 512)),
    ];

    /// <summary>
    /// The plan of <paramref name="request"/> (which must have a compute budget) on a training split of
    /// <paramref name="trainExamples"/>; <paramref name="flopsPerSecond"/> converts a time budget. Throws
    /// <see cref="RunFailedException"/> when the budget cannot pay for the fine-tuning and a minimal pretraining.
    /// </summary>
    public static ExperimentPlan Plan(ExperimentRequest request, int trainExamples, double flopsPerSecond)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(flopsPerSecond);
        var budget = ComputeBudget.Parse(request.ComputeBudget ?? throw new ArgumentException("the request has no compute budget", nameof(request)));
        var baseParameters = ScratchBudget.NonEmbeddingParameters(TrainingRecipes.DefaultScratchConfig); // MiniLM's shape
        var baseHidden = ScratchBudget.Shape(TrainingRecipes.DefaultScratchConfig).Hidden;
        var budgetFlops = budget.Time is { } time ? time.TotalSeconds * flopsPerSecond : 6.0 * baseParameters * budget.Tokens!.Value;
        var notes = new List<string>();
        var jobs = new List<PlannedJob>();

        // Fine-tuning first: its steps are the budget planner's, whatever the compute budget.
        var fineTuning = request.FineTuning ?? TrainingRecipes.DefaultFineTuning;
        var scratchConfig = request.ScratchConfig;
        foreach (var strategy in request.Strategies.Where(s => s != TrainingStrategy.Baseline))
        {
            foreach (var labels in request.Budgets)
            {
                var recipe = FineTuningPlan.ForBudget(TrainingRecipes.ForStrategy(strategy, fineTuning), labels);
                var steps = recipe.MaxSteps ?? (long)Math.Ceiling(recipe.Epochs * trainExamples / ((double)recipe.BatchSize * recipe.GradientAccumulationSteps));
                var tokens = steps * recipe.BatchSize * recipe.GradientAccumulationSteps * (long)SequenceLength;
                // The model from scratch is priced at MiniLM's size here: its own size is chosen below, from what is left.
                var perToken = recipe.FreezeEncoder ? 2.0 * baseParameters : 6.0 * baseParameters;
                jobs.Add(new PlannedJob($"{TrainingStrategyNames.Name(strategy)} b{LabelBudgets.Name(labels)}", false, request.Seeds.Count, steps, tokens, perToken * tokens * request.Seeds.Count));
            }
        }

        var fineTuningFlops = jobs.Sum(j => j.Flops);
        var pretraining = request.Pretraining ?? TrainingRecipes.DefaultPretraining;
        var stepTokens = (long)pretraining.BatchSize * pretraining.GradientAccumulationSteps * SequenceLength;
        var mlmPerToken = (6.0 * baseParameters) + (6.0 * MaskedShare * baseHidden * BundledVocabulary);
        var left = budgetFlops - fineTuningFlops;

        var arms = PretrainingArms(request);
        if (arms.Head is { } head)
        {
            // The frozen encoder runs forward only (2N); the head's transform and decoder train (6 per weight).
            var perToken = (2.0 * baseParameters) + (6.0 * ((baseHidden * baseHidden) + (MaskedShare * baseHidden * BundledVocabulary)));
            var steps = Math.Min(HeadFittingSteps, (long)(left / (arms.Adaptations.Count + 1) / (perToken * stepTokens)));
            jobs.Add(new PlannedJob(head, true, 1, steps, steps * stepTokens, perToken * steps * stepTokens));
            left -= jobs[^1].Flops;
        }

        var shares = arms.Adaptations.Count + (arms.Scratch ? 1 : 0);
        var share = shares == 0 ? 0 : left / shares;
        foreach (var arm in arms.Adaptations)
        {
            var steps = (long)(share / (mlmPerToken * stepTokens));
            jobs.Add(new PlannedJob(arm, true, 1, steps, steps * stepTokens, mlmPerToken * steps * stepTokens));
        }

        string? scratchSize = null;
        if (arms.Scratch)
        {
            if (scratchConfig is null)
            {
                (scratchSize, scratchConfig) = ScratchSizes.LastOrDefault(s => TokensFor(s.Config, share) >= ScratchBudget.TokensPerParameter * ScratchBudget.NonEmbeddingParameters(s.Config), ScratchSizes[0]);
            }

            var perToken = ScratchPerToken(scratchConfig.Value, request.VocabularySize);
            var steps = (long)(share / (perToken * stepTokens));
            jobs.Add(new PlannedJob("scratch-mlm", true, 1, steps, steps * stepTokens, perToken * steps * stepTokens));
        }

        if (fineTuningFlops > budgetFlops || jobs.Any(j => j.Pretraining && j.Steps < MinPretrainingSteps))
        {
            throw new RunFailedException(string.Create(CultureInfo.InvariantCulture,
                $"the compute budget {budget} ({budgetFlops:G3} FLOPs) does not cover this experiment: its fine-tuning alone takes {fineTuningFlops:G3} FLOPs ({Hours(fineTuningFlops, flopsPerSecond)}){(arms.Count > 0 ? $", and each of its {arms.Count} pretraining jobs needs at least {MinPretrainingSteps} steps" : "")}; give a larger budget, or fewer strategies, label budgets or seeds"));
        }

        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"compute budget {budget} = {budgetFlops:G3} training FLOPs (6 x parameters x tokens){(budget.Time is null ? " at MiniLM's size" : $" at {flopsPerSecond / 1e9:G3} GFLOP/s, the trainer's sustained rate")}"));
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"fine-tuning first: {jobs.Where(j => !j.Pretraining).Sum(j => j.Count)} jobs at the steps the label budgets need, {fineTuningFlops:G3} FLOPs ({100 * fineTuningFlops / budgetFlops:0} %)"));
        foreach (var job in jobs.Where(j => j.Pretraining))
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{job.Arm}: {job.Steps:N0} steps, {job.Tokens:N0} tokens, {job.Flops:G3} FLOPs ({100 * job.Flops / budgetFlops:0} %){(job.Arm == arms.Head ? ", at most: it stops when validation stops improving" : "")}{(job.Arm == "scratch-mlm" && scratchSize is not null ? $", a {scratchSize} BERT" : "")}"));
        }

        if (request.BaseModel != "minilm")
        {
            notes.Add("the base model is priced at MiniLM's size; a larger base costs more per token than planned");
        }

        return new ExperimentPlan(budget.ToString(), budgetFlops, flopsPerSecond, jobs, scratchSize, notes) { ScratchConfig = scratchConfig };

        double TokensFor(JsonElement config, double flops) => flops / ScratchPerToken(config, request.VocabularySize);
    }

    /// <summary>The pretraining jobs an experiment runs, as <see cref="ExperimentOrchestrator"/> names them.</summary>
    public static (string? Head, IReadOnlyList<string> Adaptations, bool Scratch, int Count) PretrainingArms(ExperimentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var s = request.Strategies;
        var dapt = s.Any(x => x is TrainingStrategy.Dapt or TrainingStrategy.DaptTapt);
        var tapt = s.Any(x => x is TrainingStrategy.Tapt or TrainingStrategy.DaptTapt);
        var head = (dapt || tapt) && request.BaseModel == "minilm" ? (dapt ? "dapt-head" : "tapt-head") : null;
        var adaptations = new List<string>();
        if (dapt)
        {
            adaptations.Add("dapt-mlm");
        }

        if (s.Contains(TrainingStrategy.DaptTapt))
        {
            adaptations.Add("dapt-tapt-mlm");
        }

        if (s.Contains(TrainingStrategy.Tapt))
        {
            adaptations.Add("tapt-mlm");
        }

        var scratch = s.Contains(TrainingStrategy.Scratch);
        return (head, adaptations, scratch, (head is null ? 0 : 1) + adaptations.Count + (scratch ? 1 : 0));
    }

    private static double ScratchPerToken(JsonElement config, int vocabulary) =>
        (6.0 * ScratchBudget.NonEmbeddingParameters(config)) + (6.0 * MaskedShare * ScratchBudget.Shape(config).Hidden * vocabulary);

    private static string Hours(double flops, double flopsPerSecond) => string.Create(CultureInfo.InvariantCulture, $"about {flops / flopsPerSecond / 3600:0.#} h at {flopsPerSecond / 1e9:G3} GFLOP/s");

    private static JsonElement Config(int layers, int hidden) => JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $$"""
        {"model_type":"bert","hidden_size":{{hidden}},"num_hidden_layers":{{layers}},"num_attention_heads":{{hidden / 64}},"intermediate_size":{{4 * hidden}},
         "hidden_act":"gelu","hidden_dropout_prob":0.1,"attention_probs_dropout_prob":0.1,"max_position_embeddings":512,
         "type_vocab_size":2,"initializer_range":0.02,"layer_norm_eps":1e-12,"pad_token_id":0}
        """)).RootElement.Clone();
}
