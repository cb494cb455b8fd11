using System.ComponentModel;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>The <c>--model REF</c> option shared by the commands that use a model.</summary>
public class ModelSettings : CommandSettings
{
    private string? model;

    [CommandOption("-m|--model <REF>")]
    [Description("'minilm' (default: the bundled all-MiniLM-L6-v2) or the path of an HF model directory (config.json, vocab.txt, model.safetensors).")]
    public string Model
    {
        get => model ?? Models.ModelCatalog.DefaultModel;
        init => model = value;
    }

    /// <summary>True when the user named a model, as opposed to taking the default.</summary>
    protected bool ModelWasGiven => model is not null;
}
