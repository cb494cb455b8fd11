using BertFunctions.Contracts.Training;
using BertFunctions.Modeling;
using BertFunctions.Training.Data;
using BertFunctions.Training.Engine;
using BertFunctions.Training.Modeling;
using static TorchSharp.torch;

namespace BertFunctions.Training.Evaluation;

/// <summary>
/// Scores a model on a split (eval mode, no gradients, the job's precision): every example of a classification split;
/// for masked-LM data the first stored masking copy, with its stored masks (the same positions every time, so that
/// evaluations compare). Examples are sorted by length within windows of <see cref="SortWindow"/> so that batches pad
/// little; the metrics are sums over examples and do not depend on the order.
/// </summary>
public sealed class Evaluator(IExampleSource source, BatchCollator collator, int batchSize)
{
    /// <summary>Examples sorted by length together.</summary>
    public const int SortWindow = 2048;

    /// <summary>The evaluation batch of a job: <see cref="Hyperparameters.EvalBatchSize"/>, else the training batch.</summary>
    public static int BatchSizeFor(Hyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        return hyperparameters.EvalBatchSize ?? hyperparameters.BatchSize;
    }

    /// <summary>Metrics by name (see <see cref="ClassificationMetrics.ToDictionary"/> and <see cref="MlmMetrics.ToDictionary"/>), plus <c>loss</c>; null when the split is empty.</summary>
    /// <param name="afterBatch">Called after each batch (the caller's heartbeat: a large split takes minutes).</param>
    public async Task<(IReadOnlyDictionary<string, double> Metrics, ClassificationMetrics? Classification)?> EvaluateAsync(TrainableModel model, Device device, string split, CancellationToken cancellationToken, Action? afterBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (source.Info.ExamplesIn(split) == 0)
        {
            return null;
        }

        model.Module.eval();
        try
        {
            var labels = new List<int>();
            var predictions = new List<int>();
            var scores = new List<double>();
            double lossSum = 0;
            long count = 0, correct = 0;
            var trimmer = new GrowthTrimmer(TrainingSession.MemoryGrowthAllowance);
            var window = new List<(Datasets.TrainingExample Example, int Index)>(SortWindow);
            var pending = new List<Datasets.TrainingExample>(batchSize);
            var pendingIndexes = new List<int>(batchSize);
            var inSplitOrder = new Dictionary<int, (int Label, int Predicted)>(); // index in the split's order: what a paired comparison of two models lines up
            var batches = 0;
            void Flush()
            {
                if (++batches % 8 == 0)
                {
                    trimmer.TrimIfGrown(); // see NativeAllocator
                }

                var batch = collator.Collate(pending, DataPosition.Start);
                var indexes = pendingIndexes.ToArray();
                pending.Clear();
                pendingIndexes.Clear();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var output = model.Forward(batch, device);
                if (model.IsClassifier)
                {
                    var probabilities = nn.functional.softmax(output.Logits, 1).cpu();
                    var predicted = probabilities.argmax(1).data<long>().ToArray();
                    var truth = batch.ClassLabels!;
                    lossSum += output.Loss.item<float>() * batch.Size;
                    count += batch.Size;
                    for (var i = 0; i < batch.Size; i++)
                    {
                        labels.Add((int)truth[i]);
                        predictions.Add((int)predicted[i]);
                        inSplitOrder[indexes[i]] = ((int)truth[i], (int)predicted[i]);
                        if (probabilities.shape[1] == 2)
                        {
                            scores.Add(probabilities[i, 1].item<float>());
                        }
                    }
                }
                else
                {
                    // The model scored the masked positions only: (N, V) logits against (N) labels.
                    var masked = output.Labels.shape[0];
                    if (masked > 0)
                    {
                        lossSum += output.Loss.item<float>() * masked;
                        count += masked;
                        correct += output.Logits.argmax(-1).eq(output.Labels).sum().item<long>();
                    }
                }

                afterBatch?.Invoke();
            }

            void FlushWindow()
            {
                foreach (var (example, index) in window.OrderByDescending(e => e.Example.InputIds.Length))
                {
                    pending.Add(example);
                    pendingIndexes.Add(index);
                    if (pending.Count == batchSize)
                    {
                        Flush();
                    }
                }

                window.Clear();
                if (pending.Count > 0)
                {
                    Flush();
                }
            }

            var examples = model.IsClassifier ? source.ReadAsync(split, cancellationToken) : source.ReadFirstCopyAsync(split, cancellationToken);
            var read = 0;
            await foreach (var example in examples.ConfigureAwait(false))
            {
                window.Add((example, read++));
                if (window.Count == SortWindow)
                {
                    FlushWindow();
                }
            }

            FlushWindow();

            if (!model.IsClassifier)
            {
                return (MlmMetrics.FromSums(lossSum, count, correct).ToDictionary(), null);
            }

            var metrics = ClassificationMetrics.Compute(labels, predictions, scores.Count == labels.Count ? scores : null, model.Labels!) with
            {
                Labels = [.. Enumerable.Range(0, read).Select(i => inSplitOrder[i].Label)],
                Predictions = [.. Enumerable.Range(0, read).Select(i => inSplitOrder[i].Predicted)],
            };
            var flat = new Dictionary<string, double>(metrics.ToDictionary(), StringComparer.Ordinal) { ["loss"] = count == 0 ? 0 : lossSum / count };
            return (flat, metrics);
        }
        finally
        {
            model.Train();
        }
    }
}
