using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Cli.Io;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Cli.Storage;

/// <summary>
/// The dataset's settings blob (<c>uploads/config/{dataset}.json</c>, a training request) as <c>bertfn upload</c>
/// writes it: the user's <c>--settings</c> file, with the reading options and the step count of the command line on
/// top, validated as the pipeline will validate it, and written only when it differs from what is there, because
/// its ETag is part of the uploads' fingerprint: rewriting the same settings would start a second run.
/// </summary>
internal static class DatasetSettingsFile
{
    /// <summary>What the command line says about the settings; null fields were not given.</summary>
    public sealed record Overrides(string? TextField, string? LabelField, bool LabelFromFolder, string? Format, int? Steps)
    {
        public bool Any => TextField is not null || LabelField is not null || LabelFromFolder || Format is not null || Steps is not null;
    }

    /// <summary>
    /// The settings JSON to write, or null to leave the blob as it is (no <c>--settings</c>, no option, and settings
    /// already there: a plain re-upload keeps what an earlier upload or a person wrote).
    /// </summary>
    /// <param name="labeled">Whether the upload is labeled data (reading options apply to labeled uploads only).</param>
    /// <param name="existing">The current blob's content, null when there is none.</param>
    public static string? Compose(string dataset, string? settingsPath, Overrides overrides, bool labeled, string? existing)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        if (settingsPath is null && !overrides.Any && existing is not null)
        {
            return null;
        }

        var root = settingsPath is null ? new JsonObject() : ReadFile(settingsPath);
        root["dataset"] ??= dataset;
        if (labeled)
        {
            // Labeled uploads without settings are read a label per folder; a file of rows (CSV, JSONL, Parquet)
            // carries its labels in a column, so the command says so unless the user asked for folders.
            var reading = root["reading"] as JsonObject ?? new JsonObject();
            reading["label_from_folder"] = overrides.LabelFromFolder || (reading["label_from_folder"]?.GetValue<bool>() ?? false);
            Set(reading, "text_field", overrides.TextField);
            Set(reading, "label_field", overrides.LabelField);
            Set(reading, "format", overrides.Format);
            root["reading"] = reading;
        }

        if (overrides.Steps is { } steps)
        {
            var fineTuning = root["fine_tuning"] as JsonObject ?? new JsonObject();
            fineTuning["max_steps"] = steps;
            // Evaluate and checkpoint at the end of a short run, not at a default interval it never reaches.
            fineTuning["eval_every_steps"] ??= steps;
            fineTuning["checkpoint_every_steps"] ??= steps;
            root["fine_tuning"] = fineTuning;
        }

        TrainingRunRequest request;
        try
        {
            request = TrainingRunRequest.FromJson(root.ToJsonString());
        }
        catch (RunRequestException e)
        {
            throw new CliException($"{settingsPath ?? "the dataset's settings"}: {e.Message}", ExitCodes.BadInput);
        }

        if (request.Dataset != dataset)
        {
            throw new CliException($"{settingsPath}: names dataset '{request.Dataset}', but --dataset is '{dataset}'", ExitCodes.Usage);
        }

        return request.ToJson();
    }

    /// <summary>The blob's content, or null when the dataset has no settings.</summary>
    public static async Task<string?> ReadAsync(BlobContainerClient uploads, string dataset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uploads);
        try
        {
            var content = await uploads.GetBlobClient(StorageLayout.DatasetSettings(dataset)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static JsonObject ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--settings '{path}' not found", ExitCodes.NoInput);
        }

        var info = new FileInfo(path);
        if (info.Length > 1024 * 1024)
        {
            throw new CliException($"--settings '{path}' is {info.Length:N0} bytes; a settings file is a small JSON object (at most 1 MB)", ExitCodes.BadInput);
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CliException($"--settings '{path}' is not a JSON object", ExitCodes.BadInput);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"--settings '{path}' is not valid JSON: {e.Message}", ExitCodes.BadInput);
        }
    }

    private static void Set(JsonObject node, string name, string? value)
    {
        if (value is not null)
        {
            node[name] = value;
        }
    }
}
