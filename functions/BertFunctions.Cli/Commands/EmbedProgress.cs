using System.Diagnostics;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// Progress of a streaming embed on stderr: texts, tokens and tokens/s, redrawn in place when a person
/// watches the terminal; silent when stderr is redirected, so logs stay clean. The total is unknown
/// while stdin streams, so this is a counter rather than a bar.
/// </summary>
internal sealed class EmbedProgress(ConsoleStreams streams)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long texts;
    private long tokens;
    private TimeSpan lastDraw;

    public void OnBatch(int batchTexts, int batchTokens)
    {
        texts += batchTexts;
        tokens += batchTokens;
        if (streams.ShowProgress && clock.Elapsed - lastDraw > TimeSpan.FromMilliseconds(200))
        {
            lastDraw = clock.Elapsed;
            streams.Error.Write($"\rembedded {texts:N0} texts, {tokens:N0} tokens, {tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):N0} tokens/s   ");
        }
    }

    public void Finish()
    {
        if (streams.ShowProgress && texts > 0)
        {
            streams.Error.WriteLine($"\rembedded {texts:N0} texts, {tokens:N0} tokens in {clock.Elapsed.TotalSeconds:N1} s ({tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):N0} tokens/s)   ");
        }
    }
}
