namespace BertFunctions.Contracts.Training;

/// <summary>
/// What a job cost: the figures the strategy comparison sets against quality. A resumed job adds to what its
/// checkpoint recorded, so the figures cover every attempt up to its last checkpoint; work an interrupted attempt did
/// after that checkpoint is redone and counted once (it is lost, not saved, so a retry's true bill is a little higher).
/// </summary>
/// <param name="Tokens">Real (non-padding) tokens trained on.</param>
/// <param name="TrainSeconds">Wall time of the training loop, evaluations during training included; loading, the final evaluation and packaging are not.</param>
/// <param name="Device">Where it trained, e.g. <c>cpu (2 threads)</c> or <c>cuda</c>.</param>
/// <param name="Precision">The precision its matmuls ran in: <c>fp32</c> or <c>bf16</c> (null in records written before it was recorded).</param>
/// <param name="PaddedShare">Padding positions over all positions of the training batches of its last attempt (what batching wasted).</param>
public sealed record JobCost(long Tokens, double TrainSeconds, string Device, string? Precision = null, double? PaddedShare = null);
