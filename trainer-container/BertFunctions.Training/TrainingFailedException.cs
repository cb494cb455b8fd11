namespace BertFunctions.Training;

/// <summary>A job that cannot go on, with a one-line reason for people (it becomes the Failed event's error).</summary>
public sealed class TrainingFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingFailedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public TrainingFailedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Required by the analyzers' exception pattern.</summary>
    public TrainingFailedException()
    {
    }
}
