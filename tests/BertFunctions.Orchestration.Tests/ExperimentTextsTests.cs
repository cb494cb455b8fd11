using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>Which texts an experiment ingests: only those its strategies adapt on, and one version when two are the same text.</summary>
public sealed class ExperimentTextsTests
{
    [Fact]
    public void Finetune_and_embeddings_need_no_text()
    {
        var texts = ExperimentTexts.For([TrainingStrategy.Finetune, TrainingStrategy.Embeddings, TrainingStrategy.Baseline], noRawUploads: false);

        Assert.Equal(new ExperimentTexts(false, false, false, false, null), texts);
    }

    [Fact]
    public void Scratch_needs_a_domain_vocabulary_and_nothing_else()
    {
        Assert.Equal(new ExperimentTexts(true, false, false, false, null), ExperimentTexts.For([TrainingStrategy.Scratch], noRawUploads: false));
    }

    [Fact]
    public void With_raw_uploads_dapt_and_tapt_adapt_on_two_texts()
    {
        Assert.Equal(new ExperimentTexts(false, true, true, true, null), ExperimentTexts.For([TrainingStrategy.Dapt, TrainingStrategy.Tapt], noRawUploads: false));
    }

    [Fact]
    public void Without_raw_uploads_the_domain_text_is_the_task_text_ingested_once_and_the_report_says_so()
    {
        var texts = ExperimentTexts.For([TrainingStrategy.DaptTapt], noRawUploads: true);

        Assert.Equal((false, true, true, false), (texts.DomainVocabulary, texts.DomainText, texts.TaskText, texts.SeparateTaskText));
        Assert.Contains("no raw/ uploads", texts.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Tapt_alone_ingests_its_own_text()
    {
        Assert.Equal(new ExperimentTexts(false, false, true, true, null), ExperimentTexts.For([TrainingStrategy.Tapt], noRawUploads: true));
    }
}
