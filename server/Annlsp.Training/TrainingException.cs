namespace Annlsp.Training;

/// <summary>An error the trainer reports to the user as it is (no stack trace): a missing data set, a bad device …</summary>
public class TrainingException(string message) : Exception(message);
