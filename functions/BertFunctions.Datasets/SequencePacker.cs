namespace BertFunctions.Datasets;

/// <summary>
/// Document-aware packing (RoBERTa's DOC-SENTENCES): <c>[CLS] s1 s2 ... [SEP]</c> with consecutive
/// sentences of one document, as many as fit in <see cref="MaxSeqLen"/>. A sentence that does not fit
/// in the space left starts the next sequence; a sentence longer than <see cref="MaxSeqLen"/> − 2 is cut
/// into chunks of that size (the last, shorter chunk then packs like a sentence). Short sequences at the end
/// of a document are kept unpadded. Every piece of the input lands in exactly one sequence.
/// </summary>
public sealed class SequencePacker
{
    /// <summary>Smallest supported sequence length.</summary>
    public const int MinSeqLen = 8;

    /// <summary>Largest supported sequence length (BERT's position embeddings).</summary>
    public const int MaxSupportedSeqLen = 512;

    private readonly int _cls;
    private readonly int _sep;

    /// <summary>A packer into sequences of at most <paramref name="maxSeqLen"/> ids including [CLS] and [SEP].</summary>
    public SequencePacker(int clsId, int sepId, int maxSeqLen)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeqLen, MinSeqLen);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSeqLen, MaxSupportedSeqLen);
        _cls = clsId;
        _sep = sepId;
        MaxSeqLen = maxSeqLen;
    }

    /// <summary>Length limit including the two special tokens.</summary>
    public int MaxSeqLen { get; }

    /// <summary>The sequences of all documents, document by document.</summary>
    public IEnumerable<int[]> Pack(IEnumerable<TokenizedDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        foreach (var document in documents)
        {
            foreach (var sequence in Pack(document))
            {
                yield return sequence;
            }
        }
    }

    /// <summary>The sequences of one document, in order.</summary>
    public IEnumerable<int[]> Pack(TokenizedDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var capacity = MaxSeqLen - 2;
        var current = new List<int>(capacity);
        foreach (var sentence in document.Sentences)
        {
            var rest = sentence.AsMemory();
            if (rest.Length > capacity)
            {
                // Too long for any sequence: flush, emit full chunks, keep the remainder as a sentence.
                if (current.Count > 0)
                {
                    yield return Close(current);
                }

                while (rest.Length > capacity)
                {
                    current.AddRange(rest.Span[..capacity]);
                    yield return Close(current);
                    rest = rest[capacity..];
                }
            }
            else if (current.Count + rest.Length > capacity)
            {
                yield return Close(current);
            }

            current.AddRange(rest.Span);
        }

        if (current.Count > 0)
        {
            yield return Close(current);
        }
    }

    private int[] Close(List<int> content)
    {
        var sequence = new int[content.Count + 2];
        sequence[0] = _cls;
        content.CopyTo(sequence, 1);
        sequence[^1] = _sep;
        content.Clear();
        return sequence;
    }
}
