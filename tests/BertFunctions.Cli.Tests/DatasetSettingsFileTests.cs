using System.Text.Json;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Cli.Tests;

/// <summary>The settings blob <c>bertfn upload</c> writes: the file, the options on top, validated; kept when nothing asks to change it.</summary>
public sealed class DatasetSettingsFileTests
{
    private static readonly DatasetSettingsFile.Overrides None = new(null, null, false, null, null);

    [Fact]
    public void A_labeled_upload_without_options_reads_labels_from_a_column_not_from_folders()
    {
        var json = DatasetSettingsFile.Compose("reviews", null, None, labeled: true, existing: null)!;

        var request = TrainingRunRequest.FromJson(json);
        Assert.Equal("reviews", request.Dataset);
        Assert.False(request.Reading!.LabelFromFolder);
        Assert.Equal("text", request.Reading.TextField);
        Assert.Equal("label", request.Reading.LabelField);
    }

    [Fact]
    public void Options_go_on_top_of_the_settings_file_and_steps_set_a_short_run()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"strategy": "dapt", "fine_tuning": {"learning_rate": 3e-5}, "reading": {"text_field": "body"}}""");

            var json = DatasetSettingsFile.Compose("reviews", file, new DatasetSettingsFile.Overrides(null, "stars", false, "csv", 40), labeled: true, existing: "{}")!;

            var request = TrainingRunRequest.FromJson(json);
            Assert.Equal(TrainingStrategy.Dapt, request.Strategy);
            Assert.Equal("body", request.Reading!.TextField);
            Assert.Equal("stars", request.Reading.LabelField);
            Assert.Equal(Ingestion.InputFormat.Csv, request.Reading.Format);
            Assert.Equal(3e-5, request.FineTuning!.LearningRate);
            Assert.Equal(40, request.FineTuning.MaxSteps);
            Assert.Equal(40, request.FineTuning.EvalEverySteps);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_plain_re_upload_keeps_the_settings_that_are_there_and_the_same_options_give_the_same_bytes()
    {
        Assert.Null(DatasetSettingsFile.Compose("reviews", null, None, labeled: true, existing: """{"strategy": "tapt"}"""));
        var options = new DatasetSettingsFile.Overrides("body", null, false, null, 10);
        var once = DatasetSettingsFile.Compose("reviews", null, options, labeled: true, existing: null);
        var again = DatasetSettingsFile.Compose("reviews", null, options, labeled: true, existing: once);
        Assert.Equal(once, again); // so the blob is not rewritten, its ETag stays, and the run id with it
    }

    [Fact]
    public void Raw_uploads_carry_no_reading_options()
    {
        var json = DatasetSettingsFile.Compose("reviews", null, None with { Steps = 5 }, labeled: false, existing: null)!;

        Assert.False(JsonDocument.Parse(json).RootElement.TryGetProperty("reading", out _));
    }

    [Fact]
    public void A_settings_file_for_another_dataset_is_refused()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"dataset": "other"}""");

            var e = Assert.Throws<CliException>(() => DatasetSettingsFile.Compose("reviews", file, None, labeled: true, existing: null));

            Assert.Contains("names dataset 'other'", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
