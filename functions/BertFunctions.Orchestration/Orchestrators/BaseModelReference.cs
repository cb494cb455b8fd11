using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>The base model a request names (<c>minilm</c>, <c>package:NAME/VERSION</c>, <c>hf:PREFIX</c>) as the trainer's <see cref="ModelBase"/>.</summary>
public static class BaseModelReference
{
    /// <summary>The model base of <paramref name="reference"/>; a run failure for anything else.</summary>
    public static ModelBase Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.Split(':', 2) switch
        {
            ["minilm"] => ModelBase.MiniLm,
            ["package", var package] => new ModelBase(ModelBaseKind.Package, package),
            ["hf", var prefix] => new ModelBase(ModelBaseKind.HfDirectory, prefix),
            _ => throw new RunFailedException($"base model '{reference}' is not minilm, package:NAME/VERSION or hf:PREFIX"),
        };
    }
}
