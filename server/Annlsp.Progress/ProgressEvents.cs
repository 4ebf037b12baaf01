using System.Text.Json.Serialization;

namespace Annlsp.Progress;

// The events of docs/progress-protocol.md, one record per `event` kind. The [JsonPropertyName]s are the wire keys
// (snake_case for the metrics shared with PyTorch scripts and TensorBoard, camelCase for the protocol's own fields, as
// the protocol has always written them). A property that only some runs have (a classifier's `loss`, a GAN's `loss_d`)
// is left out when null; the others are always written, null meaning "not applicable". A new target kind's metrics are
// new nullable properties here: the trainer writes them, the server and the client's generated types see them.

/// <summary>One line of `annlsp train --progress json` and of metrics.jsonl: <c>{"v":1,"event":KIND,"time":…, …fields}</c>.</summary>
public abstract record ProgressEvent
{
    public const int ProtocolVersion = 1;

    protected ProgressEvent(string kind) => Kind = kind;

    [JsonPropertyName("v"), JsonPropertyOrder(-3)]
    public int Version => ProtocolVersion;

    /// <summary>The event kind (<c>started</c>, <c>step</c> …): the record's type on the wire.</summary>
    [JsonPropertyName("event"), JsonPropertyOrder(-2)]
    public string Kind { get; }

    /// <summary>UTC, ISO 8601 with milliseconds.</summary>
    [JsonPropertyName("time"), JsonPropertyOrder(-1), JsonConverter(typeof(WireTimeConverter))]
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>The fixed values a string field takes (the generated TypeScript type is their union).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WireValuesAttribute(params string[] values) : Attribute
{
    public IReadOnlyList<string> Values { get; } = values;
}

public sealed record StartedEvent() : ProgressEvent("started")
{
    [JsonPropertyName("target")] public string Target { get; init; } = "";
    [JsonPropertyName("kind"), WireValues("classifier", "gan")] public string TargetKind { get; init; } = "";
    [JsonPropertyName("device")] public string Device { get; init; } = "";
    [JsonPropertyName("libtorch")] public string LibTorch { get; init; } = "";
    [JsonPropertyName("libtorchDir")] public string? LibTorchDir { get; init; }
    [JsonPropertyName("runDir")] public string RunDir { get; init; } = "";
    [JsonPropertyName("epochs")] public int Epochs { get; init; }
    [JsonPropertyName("stepsPerEpoch")] public int StepsPerEpoch { get; init; }
    [JsonPropertyName("train")] public int Train { get; init; }
    [JsonPropertyName("evaluation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Evaluation { get; init; }
    [JsonPropertyName("resumedFrom")] public long? ResumedFrom { get; init; }
    [JsonPropertyName("seed")] public int Seed { get; init; }
    [JsonPropertyName("warnings")] public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>A generative run's reference classifier, which scores its samples after every epoch.</summary>
public sealed record ReferenceEvent() : ProgressEvent("reference")
{
    [JsonPropertyName("status"), WireValues("training", "ready", "failed")] public string Status { get; init; } = "";
    [JsonPropertyName("data")] public string Data { get; init; } = "";
    [JsonPropertyName("accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Accuracy { get; init; }
    [JsonPropertyName("fd_real"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FdReal { get; init; }
    [JsonPropertyName("classes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Classes { get; init; }
    [JsonPropertyName("testImages"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? TestImages { get; init; }
    [JsonPropertyName("trained"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Trained { get; init; }
    [JsonPropertyName("seconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Seconds { get; init; }
    [JsonPropertyName("path"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Path { get; init; }
    [JsonPropertyName("scoreSamples"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ScoreSamples { get; init; }
    [JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Reason { get; init; }
}

/// <summary>Every few steps (about 20 per epoch): the batch's losses.</summary>
public sealed record StepEvent() : ProgressEvent("step")
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("steps")] public int Steps { get; init; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; init; }
    [JsonPropertyName("loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Loss { get; init; }
    [JsonPropertyName("loss_d"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossD { get; init; }
    [JsonPropertyName("loss_g"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossG { get; init; }
    [JsonPropertyName("d_x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DX { get; init; }
    [JsonPropertyName("d_g_z"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DGZ { get; init; }
    [JsonPropertyName("lr")] public double Lr { get; init; }
    [JsonPropertyName("imagesPerSecond")] public double ImagesPerSecond { get; init; }
}

/// <summary>The end of an epoch: its mean losses, the evaluation, a generative run's sample scores.</summary>
public sealed record EpochEvent() : ProgressEvent("epoch")
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("epochs")] public int Epochs { get; init; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; init; }
    [JsonPropertyName("loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Loss { get; init; }
    [JsonPropertyName("accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Accuracy { get; init; }
    [JsonPropertyName("train_accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? TrainAccuracy { get; init; }
    [JsonPropertyName("val_loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ValLoss { get; init; }
    [JsonPropertyName("evaluationSet"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), WireValues("test", "validation")] public string? EvaluationSet { get; init; }
    [JsonPropertyName("loss_d"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossD { get; init; }
    [JsonPropertyName("loss_g"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossG { get; init; }
    [JsonPropertyName("d_x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DX { get; init; }
    [JsonPropertyName("d_g_z"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DGZ { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
    [JsonPropertyName("imagesPerSecond")] public double ImagesPerSecond { get; init; }
    [JsonPropertyName("fd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Fd { get; init; }
    [JsonPropertyName("fd_real"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FdReal { get; init; }
    [JsonPropertyName("confident"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Confident { get; init; }
    [JsonPropertyName("coverage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Coverage { get; init; }
    [JsonPropertyName("classes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Classes { get; init; }
    [JsonPropertyName("scoreSamples"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ScoreSamples { get; init; }
    [JsonPropertyName("scoreSeconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ScoreSeconds { get; init; }
}

/// <summary>An image grid written to samples/epoch-NNN.png.</summary>
public sealed record SampleEvent() : ProgressEvent("sample")
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("path")] public string Path { get; init; } = "";
}

public sealed record CheckpointEvent() : ProgressEvent("checkpoint")
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    /// <summary>Steps done in that epoch; 0 at an epoch boundary.</summary>
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; init; }
    [JsonPropertyName("path")] public string Path { get; init; } = "";
}

/// <summary>The run ended well (or was stopped): the last epoch's metrics.</summary>
public sealed record FinishedEvent() : ProgressEvent("finished")
{
    [JsonPropertyName("status"), WireValues("finished", "stopped")] public string Status { get; init; } = "finished";
    /// <summary>A resume of a run that had trained all its epochs: nothing was trained.</summary>
    [JsonPropertyName("alreadyFinished"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? AlreadyFinished { get; init; }
    [JsonPropertyName("runDir")] public string RunDir { get; init; } = "";
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; init; }
    [JsonPropertyName("loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Loss { get; init; }
    [JsonPropertyName("accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Accuracy { get; init; }
    [JsonPropertyName("loss_g"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossG { get; init; }
    [JsonPropertyName("loss_d"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossD { get; init; }
    [JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Message { get; init; }
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("fd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Fd { get; init; }
    [JsonPropertyName("fd_real"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FdReal { get; init; }
    [JsonPropertyName("confident"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Confident { get; init; }
    [JsonPropertyName("coverage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Coverage { get; init; }
    [JsonPropertyName("classes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Classes { get; init; }

    /// <summary>This event with the metrics an epoch ended with (the ones a `finished` event repeats).</summary>
    public FinishedEvent WithMetricsOf(EpochEvent? last) => last is null ? this : this with
    {
        Loss = last.Loss, Accuracy = last.Accuracy, LossG = last.LossG, LossD = last.LossD,
        Fd = last.Fd, FdReal = last.FdReal, Confident = last.Confident, Coverage = last.Coverage, Classes = last.Classes,
    };
}

public sealed record FailedEvent() : ProgressEvent("failed")
{
    /// <summary>One sentence for the user.</summary>
    [JsonPropertyName("reason")] public string Reason { get; init; } = "";
    [JsonPropertyName("runDir"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RunDir { get; init; }
    [JsonPropertyName("epoch"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Epoch { get; init; }
    [JsonPropertyName("step"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Step { get; init; }
    /// <summary>`file(line,col): error CODE: message` of what the target trains.</summary>
    [JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Errors { get; init; }
}
