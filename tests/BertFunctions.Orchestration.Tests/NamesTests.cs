using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The one place each name is read and written: strategies, label budgets, base models, ingestion requests.</summary>
public sealed class NamesTests
{
    [Fact]
    public void Every_strategy_name_parses_back_to_its_strategy()
    {
        foreach (var strategy in Enum.GetValues<TrainingStrategy>())
        {
            Assert.True(TrainingStrategyNames.TryParse(TrainingStrategyNames.Name(strategy), out var parsed));
            Assert.Equal(strategy, parsed);
        }
    }

    [Theory]
    [InlineData("bert")]
    [InlineData("Dapt")] // names are exact, as in JSON
    [InlineData("dapt-tapt")] // the slug is for ids, not requests
    [InlineData("")]
    public void Anything_else_is_not_a_strategy(string name) => Assert.False(TrainingStrategyNames.TryParse(name, out _));

    [Theory]
    [InlineData(0, "all")]
    [InlineData(50, "50")]
    [InlineData(1000, "1000")]
    public void A_budget_of_zero_is_all_the_labels(int budget, string name) => Assert.Equal(name, LabelBudgets.Name(budget));

    [Fact]
    public void Base_model_references_parse_to_their_kind()
    {
        Assert.Equal(ModelBase.MiniLm, BaseModelReference.Parse("minilm"));
        Assert.Equal(new ModelBase(ModelBaseKind.Package, "spam/v1"), BaseModelReference.Parse("package:spam/v1"));
        Assert.Equal(new ModelBase(ModelBaseKind.HfDirectory, "hf/bert"), BaseModelReference.Parse("hf:hf/bert"));
        Assert.Throws<RunFailedException>(() => BaseModelReference.Parse("bert-base"));
    }

    [Fact]
    public void Text_from_the_labeled_uploads_is_read_as_the_labeled_dataset_is_so_the_splits_match()
    {
        var request = new TrainingRunRequest { Dataset = "spam" };

        var labeled = IngestionRequests.Labeled(request, "vocab");
        var fromLabeled = IngestionRequests.Text(request, "vocab", fromLabeled: true);
        var fromRaw = IngestionRequests.Text(request, "vocab", fromLabeled: false);

        Assert.Equal((DatasetKind.Classification, true, true), (labeled.Kind, labeled.Reading.Labeled, labeled.Reading.LabelFromFolder));
        Assert.Equal((DatasetKind.Pretraining, DatasetKind.Classification), (fromLabeled.Kind, fromLabeled.UploadsOf));
        Assert.Equal((true, true), (fromLabeled.Reading.Labeled, fromLabeled.Reading.LabelFromFolder));
        Assert.Equal((DatasetKind.Pretraining, false, false), (fromRaw.UploadsOf, fromRaw.Reading.Labeled, fromRaw.Reading.LabelFromFolder));
    }
}
