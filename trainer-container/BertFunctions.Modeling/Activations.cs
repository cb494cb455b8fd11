using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>The feed-forward activations of <see cref="BertConfig.HiddenAct"/>, by their HF names.</summary>
public static class Activations
{
    /// <summary>The function HF's <c>ACT2FN[name]</c> computes.</summary>
    public static Func<Tensor, Tensor> Get(string name) => name switch
    {
        "gelu" => x => nn.functional.gelu(x), // exact, erf-based
        "gelu_new" or "gelu_pytorch_tanh" => x => nn.functional.gelu(x, GELU.Approximate.tanh),
        "relu" => x => nn.functional.relu(x),
        "silu" or "swish" => x => nn.functional.silu(x),
        "tanh" => x => x.tanh(),
        _ => throw new NotSupportedException($"hidden_act = \"{name}\" is not supported; expected one of {string.Join(", ", BertConfig.SupportedActivations)}."),
    };
}
