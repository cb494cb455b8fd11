using Onnx;

namespace BertFunctions.Serving.Models;

/// <summary>What <see cref="Int8DynamicQuantizer"/> made of a model.</summary>
/// <param name="Model">The rewritten copy.</param>
/// <param name="Quantized">The outputs of the MatMuls it replaced, in graph order (the values keep their names).</param>
public sealed record QuantizedModel(ModelProto Model, IReadOnlyList<string> Quantized);
