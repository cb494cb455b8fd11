namespace BertFunctions.Ingestion;

/// <summary>Maps raw labels that match a glob to one label, e.g. <c>easy-ham-*</c> → <c>ham</c>.</summary>
/// <param name="Pattern">Glob over the raw label: <c>*</c> any run of characters, <c>?</c> one character; case-insensitive.</param>
/// <param name="Label">The label a matching raw label becomes.</param>
public sealed record LabelRule(string Pattern, string Label);
