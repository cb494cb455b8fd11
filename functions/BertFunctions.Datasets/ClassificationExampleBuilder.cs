namespace BertFunctions.Datasets;

/// <summary>Fine-tuning examples: <c>[CLS] pieces [SEP]</c>, truncated by policy, with the label's id from a <see cref="LabelSet"/>.</summary>
public sealed class ClassificationExampleBuilder
{
    private readonly TokenVocabulary _vocabulary;

    /// <summary>A builder over <paramref name="vocabulary"/> and <paramref name="labels"/>.</summary>
    public ClassificationExampleBuilder(TokenVocabulary vocabulary, LabelSet labels, ClassificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSeqLen, SequencePacker.MinSeqLen, nameof(options.MaxSeqLen));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxSeqLen, SequencePacker.MaxSupportedSeqLen, nameof(options.MaxSeqLen));
        if (!(options.HeadFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HeadFraction, "HeadFraction must lie in [0, 1].");
        }

        _vocabulary = vocabulary;
        Labels = labels;
        Options = options;
    }

    /// <summary>The labels and their ids.</summary>
    public LabelSet Labels { get; }

    /// <summary>The settings.</summary>
    public ClassificationOptions Options { get; }

    /// <summary>Tokenizes <paramref name="text"/> and builds its example; a null label gives <see cref="TrainingExample.NoLabel"/>.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="label"/> is not in the label set.</exception>
    public TrainingExample Build(string text, string? label)
    {
        ArgumentNullException.ThrowIfNull(text);
        var labelId = label is null ? TrainingExample.NoLabel : Labels.IdOf(label);
        var pieces = new List<int>();
        _vocabulary.Tokenizer.EncodeIdsInto(text, pieces);
        return Build(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pieces), labelId);
    }

    /// <summary>Builds from word-piece ids (no special tokens) and a label id (-1 for none).</summary>
    public TrainingExample Build(ReadOnlySpan<int> pieces, int labelId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labelId, TrainingExample.NoLabel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(labelId, Labels.Count);
        var budget = Options.MaxSeqLen - 2;
        var (head, tail) = Keep(pieces.Length, budget);
        var ids = new int[head + tail + 2];
        ids[0] = _vocabulary.ClsId;
        pieces[..head].CopyTo(ids.AsSpan(1));
        pieces[^tail..].CopyTo(ids.AsSpan(1 + head));
        ids[^1] = _vocabulary.SepId;
        return new TrainingExample(ids, [], [], labelId);
    }

    /// <summary>How many pieces to keep from the start and from the end of a text of <paramref name="length"/> pieces.</summary>
    public (int Head, int Tail) Keep(int length, int budget)
    {
        if (length <= budget)
        {
            return (length, 0);
        }

        if (Options.Truncation == TruncationPolicy.Head)
        {
            return (budget, 0);
        }

        // Rounded half up so 510 × 0.25 gives the paper's head of 128 (tail 382).
        var head = (int)Math.Round(budget * Options.HeadFraction, MidpointRounding.AwayFromZero);
        return (head, budget - head);
    }
}
