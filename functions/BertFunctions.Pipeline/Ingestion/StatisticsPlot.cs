using BertFunctions.Datasets;
using ScottPlot;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// <c>stats.png</c> of a dataset version: the sequence-length histogram (is max_seq_len too short or wasteful?)
/// and the most frequent tokens (does the vocabulary fit the domain, how much is [UNK]?).
/// </summary>
public static class StatisticsPlot
{
    public static byte[] Render(ShardStatistics statistics, TokenVocabulary vocabulary, string title, int topTokens = 25)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var lengths = new Plot();
        var width = statistics.LengthBucketWidth;
        var histogram = statistics.LengthHistogram;
        var bars = lengths.Add.Bars(
            Enumerable.Range(0, histogram.Length).Select(i => (i * width) + (width / 2.0)).ToArray(),
            histogram.Select(c => (double)c).ToArray());
        foreach (var bar in bars.Bars)
        {
            bar.Size = width * 0.9;
        }

        lengths.Title($"{title}: sequence lengths ({statistics.Sequences:N0} examples, {statistics.Tokens:N0} tokens, [UNK] {statistics.UnkRate:P2})");
        lengths.XLabel($"tokens per example (buckets of {width}, max {statistics.MaxSeqLen})");
        lengths.YLabel("examples");
        lengths.Axes.Margins(bottom: 0);

        // [CLS] and [SEP] occur once per example and say nothing about the text; [UNK] stays (it does).
        var top = statistics.TopTokens(topTokens + 5).Where(t => !vocabulary.IsSpecial(t.Id) || t.Id == vocabulary.UnkId).Take(topTokens).ToList();
        var tokens = new Plot();
        var positions = Enumerable.Range(0, top.Count).Select(i => (double)i).ToArray();
        tokens.Add.Bars(positions, top.Select(t => (double)t.Count).ToArray());
        tokens.Axes.Bottom.SetTicks(positions, top.Select(t => vocabulary.Tokenizer.IdToToken(t.Id) ?? t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        tokens.Axes.Bottom.TickLabelStyle.Rotation = 45;
        tokens.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        tokens.Axes.Bottom.MinimumSize = 80;
        tokens.Title($"{top.Count} most frequent tokens");
        tokens.YLabel("occurrences");
        tokens.Axes.Margins(bottom: 0);

        var multiplot = new Multiplot();
        multiplot.Reset(lengths); // a new Multiplot starts with an empty plot of its own
        multiplot.AddPlot(tokens);
        return multiplot.Render(1000, 900).GetImageBytes(ImageFormat.Png, 100);
    }
}
