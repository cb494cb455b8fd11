namespace BertFunctions.Serving;

/// <summary>Why no model can answer a request.</summary>
public enum ModelProblem
{
    /// <summary>The name has no <c>live.json</c> (nothing promoted yet): a 503, try again later.</summary>
    NoLiveModel,

    /// <summary>The requested version has no package: a 404.</summary>
    NotFound,

    /// <summary>The package could not be loaded (corrupt, incompatible, storage down): a 503.</summary>
    LoadFailed,
}

/// <summary>No model can answer; <see cref="Problem"/> says why, the message says what in one line.</summary>
public sealed class ModelUnavailableException(ModelProblem problem, string message, Exception? inner = null) : Exception(message, inner)
{
    public ModelProblem Problem { get; } = problem;

    /// <summary>A fresh exception with the same problem and message: a remembered one is thrown to many requests, and throwing one instance from several threads races on its stack trace.</summary>
    public ModelUnavailableException Again() => new(Problem, Message, InnerException);
}
