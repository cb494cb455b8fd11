using System.Diagnostics;
using BertFunctions.Corpora;

namespace BertFunctions.Ingestion.Tests;

public sealed class SpamAssassinTests(ITestOutputHelper output)
{
    private static readonly IngestionOptions Options = new()
    {
        Include = ["*.txt"],
        LabelFromFolder = true,
        LabelMap = [new("easy-ham-*", "ham"), new("hard-ham-*", "ham"), new("spam-*", "spam")],
        AllowedLabels = ["ham", "spam"],
        Labeled = true,
    };

    [Fact]
    public async Task The_whole_corpus_ingests_as_it_is_one_item_per_email()
    {
        var root = CorpusLocator.SpamAssassin();
        var reader = new DocumentReader(Options);
        var stats = new ReadStatistics();
        var perFile = new Dictionary<string, int>(StringComparer.Ordinal);
        var documents = new Dictionary<string, SourceDocument>(StringComparer.Ordinal);
        var quarantined = new List<QuarantineEntry>();
        var clock = Stopwatch.StartNew();
        var ct = TestContext.Current.CancellationToken;

        foreach (var file in root.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(root.FullName, file.FullName).Replace('\\', '/');
            if (!reader.Accepts(name, stats))
            {
                continue;
            }

            perFile[name] = 0;
            await using var stream = file.OpenRead();
            await foreach (var item in reader.ReadAsync(name, stream, stats, ct: ct))
            {
                perFile[name]++;
                switch (item)
                {
                    case ReadItem.Document d:
                        documents[name] = d.Value;
                        break;
                    case ReadItem.Quarantined q:
                        quarantined.Add(q.Value);
                        break;
                }
            }
        }

        clock.Stop();
        output.WriteLine($"{stats.Files} files ({stats.ExcludedFiles} excluded, {stats.Bytes:N0} bytes) in {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("documents: " + string.Join(", ", stats.DocumentsByLabel.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
        output.WriteLine("quarantined: " + string.Join(", ", stats.QuarantinedByReason.Select(p => $"{p.Key} {p.Value}")));
        output.WriteLine($"invalid bytes replaced: {stats.InvalidBytesReplaced:N0}; attachments skipped: {stats.SkippedAttachments:N0}");
        foreach (var entry in quarantined)
        {
            output.WriteLine($"  {entry.Source}: {entry.Reason}: {entry.Detail}");
        }

        Assert.Equal(6046, perFile.Count);
        Assert.Equal(6046 + 2, stats.ExcludedFiles); // the .json metadata beside each e-mail, file_list.json, data.js
        Assert.All(perFile, p => Assert.Equal(1, p.Value));
        Assert.Equal(6046, stats.Records);
        var quarantinedHam = quarantined.Count(q => !q.Source.StartsWith("spam-", StringComparison.Ordinal));
        Assert.Equal(4150 - quarantinedHam, stats.DocumentsByLabel.GetValueOrDefault("ham"));
        Assert.Equal(1896 - (quarantined.Count - quarantinedHam), stats.DocumentsByLabel.GetValueOrDefault("spam"));
        Assert.True(quarantined.Count < 30, $"{quarantined.Count} quarantined");

        var ham = documents.Single(p => p.Key.StartsWith("easy-ham-1/00001.", StringComparison.Ordinal)).Value;
        Assert.Equal("ham", ham.Label);
        Assert.Contains("I can't reproduce this error", ham.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Return-Path:", ham.Text, StringComparison.Ordinal);

        var spam = documents.Single(p => p.Key.StartsWith("spam-1/00001.", StringComparison.Ordinal)).Value;
        Assert.Equal("spam", spam.Label);
        Assert.Contains("Save up to 70% on Life Insurance", spam.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", spam.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("=3D", spam.Text, StringComparison.Ordinal);
        output.WriteLine(spam.Text);
    }
}
