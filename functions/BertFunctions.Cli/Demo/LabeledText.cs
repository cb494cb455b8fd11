namespace BertFunctions.Cli.Demo;

/// <summary>One labeled document of the demo, with the split it belongs to.</summary>
public sealed record LabeledText(string Id, string Text, string Label, bool IsTest);
