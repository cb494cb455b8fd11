namespace BertFunctions.Datasets;

/// <summary>
/// Pretraining examples of one work unit (shard): documents are packed with <see cref="SequencePacker"/>,
/// and the packed sequences are emitted <see cref="PretrainingOptions.DupeFactor"/> times, copy c masked by
/// one generator seeded with <see cref="Seeds.Derive"/>(datasetVersion, shard, c). Copies come one after
/// the other (all sequences of copy 0, then of copy 1, ...), so duplicates of a sequence lie a whole copy
/// apart rather than side by side; the trainer still shuffles.
/// </summary>
public sealed class PretrainingExampleBuilder
{
    private readonly SequencePacker _packer;

    /// <summary>A builder over <paramref name="vocabulary"/>.</summary>
    public PretrainingExampleBuilder(TokenVocabulary vocabulary, PretrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.DupeFactor, nameof(options.DupeFactor));
        Options = options;
        _packer = new SequencePacker(vocabulary.ClsId, vocabulary.SepId, options.MaxSeqLen);
        Masker = new MlmMasker(vocabulary, options.Masking, options.MaxSeqLen);
    }

    /// <summary>The settings.</summary>
    public PretrainingOptions Options { get; }

    /// <summary>The masker every copy uses.</summary>
    public MlmMasker Masker { get; }

    /// <summary>The packed, unmasked sequences.</summary>
    public IEnumerable<int[]> Pack(IEnumerable<TokenizedDocument> documents) => _packer.Pack(documents);

    /// <summary>
    /// All masked examples of shard <paramref name="shard"/>: <see cref="PretrainingOptions.DupeFactor"/> passes
    /// over the documents (which are therefore read once per copy).
    /// </summary>
    public IEnumerable<TrainingExample> Build(IReadOnlyCollection<TokenizedDocument> documents, string datasetVersion, int shard)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(datasetVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        return BuildCore(documents, datasetVersion, shard);
    }

    private IEnumerable<TrainingExample> BuildCore(IReadOnlyCollection<TokenizedDocument> documents, string datasetVersion, int shard)
    {
        for (var copy = 0; copy < Options.DupeFactor; copy++)
        {
            var random = new Xoshiro256StarStar(Seeds.Derive(datasetVersion, shard, copy));
            foreach (var sequence in _packer.Pack(documents))
            {
                yield return Masker.Mask(sequence, random);
            }
        }
    }
}
