namespace BertFunctions.Training.Data;

/// <summary>
/// Where the trainer is in its data: the epoch and how many of that epoch's (shuffled) examples it has consumed.
/// Together with the seed this is the whole state of the data pipeline: the epoch order is re-derived from
/// (seed, epoch), and the first <see cref="ExamplesConsumed"/> examples are skipped.
/// </summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="ExamplesConsumed">Examples of that epoch already handed out.</param>
public sealed record DataPosition(int Epoch, long ExamplesConsumed)
{
    /// <summary>The start of training.</summary>
    public static DataPosition Start { get; } = new(0, 0);
}
