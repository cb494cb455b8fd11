using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The live-model record a promoted candidate becomes: the request's model name, the run, and the labels' contract.</summary>
public sealed class PromotionCandidateTests
{
    [Fact]
    public void The_record_carries_the_model_name_the_run_and_the_label_contract_of_the_request()
    {
        var reading = new IngestionOptions { LabelFromFolder = true, Labeled = true };
        var request = new TrainingRunRequest { Dataset = "spam", Model = "filter", Reading = reading };
        var metrics = new Dictionary<string, double> { ["validation.macro_f1"] = 0.9 };
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var live = new PromotionCandidate("exp--dapt-b200-s1", "filter/exp--dapt-b200-s1/", metrics, "v-domain", "vocab").ToLiveModel(request, ["ham", "spam"], "exp", at);

        Assert.Equal(("filter", "exp--dapt-b200-s1", "filter/exp--dapt-b200-s1/", "v-domain", "vocab", "exp", at), (live.Name, live.Version, live.Package, live.DatasetVersion, live.Vocabulary, live.RunId, live.PromotedAt));
        Assert.Same(metrics, live.Metrics);
        Assert.Equal(["ham", "spam"], live.Labels!);
        Assert.Equal(LabelContract.Of(["ham", "spam"], reading), live.LabelContract);
        Assert.NotEqual(LabelContract.Of(["ham", "spam", "phish"], reading), live.LabelContract);
    }

    [Fact]
    public void Without_a_model_name_the_dataset_names_the_model() =>
        Assert.Equal("spam", new PromotionCandidate("v", "spam/v/", new Dictionary<string, double>(), "d", "b").ToLiveModel(new TrainingRunRequest { Dataset = "spam" }, [], "r", DateTimeOffset.UnixEpoch).Name);
}
