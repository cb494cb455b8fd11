using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>An experiment's jobs: one per arm, each starting from what its strategy says, pretraining shared and planned.</summary>
public sealed class ExperimentJobPlannerTests
{
    private static readonly IngestedDataset Labeled = new("spam", "v-labeled", false, 100, ["ham", "spam"], new Dictionary<string, int>());
    private static readonly IngestedDataset DomainLabeled = new("spam", "v-labeled-domain", false, 100, ["ham", "spam"], new Dictionary<string, int>());
    private static readonly IngestedDataset Text = new("spam", "v-text", false, 100, [], new Dictionary<string, int>());

    private static readonly ExperimentRequest Request = new()
    {
        Dataset = "spam",
        Model = "filter",
        Strategies = [TrainingStrategy.Finetune, TrainingStrategy.DaptTapt, TrainingStrategy.Scratch, TrainingStrategy.Baseline],
        Budgets = [200, 0],
        Seeds = [42, 7],
    };

    private static readonly PretrainingResult[] Pretrained =
    [
        new(TrainingStrategy.DaptTapt, "exp--dapt-tapt-mlm", 10, new Dictionary<string, double>(), null, null),
        new(TrainingStrategy.Scratch, "exp--scratch-mlm", 10, new Dictionary<string, double>(), null, null),
    ];

    private static ExperimentJobPlanner Planner(ExperimentPlan? plan = null, ModelBase? baseModel = null) => new("exp", Request, plan, baseModel ?? ModelBase.MiniLm);

    [Fact]
    public void Every_strategy_budget_and_seed_is_an_arm_in_that_order()
    {
        var arms = Planner().Arms();

        Assert.Equal(4 * 2 * 2, arms.Count);
        Assert.Equal([new(TrainingStrategy.Finetune, 200, 42), new(TrainingStrategy.Finetune, 200, 7), new(TrainingStrategy.Finetune, 0, 42)], arms.Take(3));
        Assert.Equal("dapt+tapt budget all seed 7", arms.Single(a => a is { Strategy: TrainingStrategy.DaptTapt, Budget: 0, Seed: 7 }).Label);
    }

    [Fact]
    public void Each_arm_starts_from_what_its_strategy_says()
    {
        var planner = Planner();
        ModelBase From(TrainingStrategy s) => planner.FineTuningJob(new ExperimentArm(s, 200, 42), Pretrained, Labeled, DomainLabeled).Base;

        Assert.Equal(ModelBase.MiniLm, From(TrainingStrategy.Finetune));
        Assert.Equal(new ModelBase(ModelBaseKind.Checkpoint, "exp--dapt-tapt-mlm"), From(TrainingStrategy.DaptTapt));
        Assert.Equal(new ModelBase(ModelBaseKind.Checkpoint, "exp--scratch-mlm"), From(TrainingStrategy.Scratch));
        Assert.Equal(ModelBase.None, From(TrainingStrategy.Baseline));
    }

    [Fact]
    public void A_bert_arm_is_packaged_under_its_job_id_and_the_baseline_is_not()
    {
        var planner = Planner();

        var dapt = planner.FineTuningJob(new ExperimentArm(TrainingStrategy.DaptTapt, 0, 7), Pretrained, Labeled, DomainLabeled);
        var baseline = planner.FineTuningJob(new ExperimentArm(TrainingStrategy.Baseline, 200, 42), Pretrained, Labeled, DomainLabeled);

        Assert.Equal(("exp--dapt-tapt-ball-s7", JobMode.Classify, 7), (dapt.JobId, dapt.Mode, dapt.Seed));
        Assert.Equal(new ModelPackageReference("filter", "exp--dapt-tapt-ball-s7"), dapt.Output);
        Assert.Equal(("exp--baseline-b200-s42", JobMode.Baseline), (baseline.JobId, baseline.Mode));
        Assert.Null(baseline.Output);
    }

    [Fact]
    public void Scratch_fine_tunes_on_the_labeled_data_in_its_own_vocabulary()
    {
        var planner = Planner();

        Assert.Equal("v-labeled-domain", planner.FineTuningJob(new ExperimentArm(TrainingStrategy.Scratch, 200, 42), Pretrained, Labeled, DomainLabeled).Dataset.Version);
        Assert.Equal("v-labeled", planner.FineTuningJob(new ExperimentArm(TrainingStrategy.Finetune, 200, 42), Pretrained, Labeled, DomainLabeled).Dataset.Version);
    }

    [Fact]
    public void The_bundled_model_gets_a_head_fitted_first_on_the_domain_text_when_there_is_one()
    {
        var planner = Planner();

        var onDomain = planner.HeadFitting(Text, null)!;
        var onTask = planner.HeadFitting(null, Text)!;

        Assert.Equal(("exp--dapt-head", true, 42), (onDomain.JobId, onDomain.Hyperparameters.FreezeEncoder, onDomain.Seed));
        Assert.Equal("exp--tapt-head", onTask.JobId);
        Assert.Equal(new ModelBase(ModelBaseKind.Checkpoint, "exp--dapt-head"), planner.AdaptFrom(onDomain));
        Assert.Null(planner.HeadFitting(null, null));
    }

    [Fact]
    public void A_base_with_its_own_head_adapts_directly()
    {
        var hf = new ModelBase(ModelBaseKind.HfDirectory, "hf/bert");
        var planner = Planner(baseModel: hf);

        Assert.Null(planner.HeadFitting(Text, Text));
        Assert.Equal(hf, planner.AdaptFrom(null));
        Assert.Equal(hf, planner.Adaptation("dapt-mlm", planner.AdaptFrom(null), Text).Base);
    }

    [Fact]
    public void A_plan_sets_the_pretraining_steps_with_evaluations_every_quarter()
    {
        var plan = new ExperimentPlan("1h", 1e15, 1e12, [new PlannedJob("dapt-mlm", true, 1, 400, 1_000, 1e14)], null, []);
        var planner = Planner(plan);

        var dapt = planner.Adaptation("dapt-mlm", ModelBase.MiniLm, Text).Hyperparameters;
        var tapt = planner.Adaptation("tapt-mlm", ModelBase.MiniLm, Text).Hyperparameters;

        Assert.Equal((400L, 100L, 100L), (dapt.MaxSteps, dapt.EvalEverySteps, dapt.CheckpointEverySteps));
        Assert.Equal(TrainingRecipes.DefaultPretraining.MaxSteps, tapt.MaxSteps); // not in the plan: the recipe as it is
    }

    [Fact]
    public void A_pretraining_chain_costs_all_its_jobs_and_starts_where_the_fitted_head_ended()
    {
        static TrainingEvent Done(string job, long tokens, double loss) => new()
        {
            JobId = job,
            Kind = TrainingEventKind.Completed,
            At = DateTimeOffset.UnixEpoch,
            Step = tokens / 10,
            Metrics = new Dictionary<string, double> { ["validation.loss"] = loss },
            Cost = new JobCost(tokens, tokens / 100.0, "cpu"),
            Checkpoint = $"checkpoints/{job}/",
        };

        var events = new[] { Done("exp--dapt-head", 1_000, 5.0), Done("exp--dapt-mlm", 3_000, 3.0) };

        var dapt = ExperimentJobPlanner.Pretrained(TrainingStrategy.Dapt, "exp--dapt-mlm", events, headFitted: true);
        var scratch = ExperimentJobPlanner.Pretrained(TrainingStrategy.Scratch, "exp--dapt-mlm", events, headFitted: true);

        Assert.Equal(("exp--dapt-mlm", 300L, 4_000L, 40.0, "checkpoints/exp--dapt-mlm/"), (dapt.JobId, dapt.Steps, dapt.Cost!.Tokens, dapt.Cost.TrainSeconds, dapt.Checkpoint));
        Assert.Equal(5.0, dapt.StartMetrics!["validation.loss"]);
        Assert.Equal(3.0, dapt.Metrics["validation.loss"]);
        Assert.Null(scratch.StartMetrics);
        Assert.Null(ExperimentJobPlanner.Pretrained(TrainingStrategy.Dapt, "exp--dapt-mlm", events[1..], headFitted: false).StartMetrics);
    }
}
