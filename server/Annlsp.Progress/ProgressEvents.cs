using System.Text.Json.Serialization;

namespace Annlsp.Progress;

// The events of docs/progress-protocol.md, one record per `event` kind. The [JsonPropertyName]s are the wire keys
// (snake_case for the metrics shared with PyTorch scripts and TensorBoard, camelCase for the protocol's own fields, as
// the protocol has always written them). A property that only some runs have (a classifier's `loss`, a GAN's `loss_d`)
// is left out when null; the others are always written, null meaning "not applicable". A new target kind's metrics are
// new nullable properties here: the trainer writes them, the server and the client's generated types see them.
// Setters, not init: System.Text.Json's source generator sets every init-only property when it reads, the ones a line
// leaves out to null, and a reader would see `warnings: null` instead of the record's [].

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
    public DateTimeOffset Time { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>The fixed values a string field takes (the generated TypeScript type is their union).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WireValuesAttribute(params string[] values) : Attribute
{
    public IReadOnlyList<string> Values { get; } = values;
}

public sealed record StartedEvent() : ProgressEvent("started")
{
    [JsonPropertyName("target")] public string Target { get; set; } = "";
    [JsonPropertyName("kind"), WireValues("classifier", "gan", "pix2pix", "diffusion")] public string TargetKind { get; set; } = "";
    [JsonPropertyName("device")] public string Device { get; set; } = "";
    [JsonPropertyName("libtorch")] public string LibTorch { get; set; } = "";
    [JsonPropertyName("libtorchDir")] public string? LibTorchDir { get; set; }
    [JsonPropertyName("runDir")] public string RunDir { get; set; } = "";
    [JsonPropertyName("epochs")] public int Epochs { get; set; }
    [JsonPropertyName("stepsPerEpoch")] public int StepsPerEpoch { get; set; }
    [JsonPropertyName("train")] public int Train { get; set; }
    [JsonPropertyName("evaluation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Evaluation { get; set; }
    [JsonPropertyName("resumedFrom")] public long? ResumedFrom { get; set; }
    [JsonPropertyName("seed")] public int Seed { get; set; }
    [JsonPropertyName("warnings")] public IReadOnlyList<string> Warnings { get; set; } = [];
}

/// <summary>A generative run's reference classifier, which scores its samples after every epoch.</summary>
public sealed record ReferenceEvent() : ProgressEvent("reference")
{
    [JsonPropertyName("status"), WireValues("training", "ready", "failed")] public string Status { get; set; } = "";
    [JsonPropertyName("data")] public string Data { get; set; } = "";
    [JsonPropertyName("accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Accuracy { get; set; }
    [JsonPropertyName("fd_real"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FdReal { get; set; }
    [JsonPropertyName("classes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Classes { get; set; }
    [JsonPropertyName("testImages"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? TestImages { get; set; }
    [JsonPropertyName("trained"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Trained { get; set; }
    [JsonPropertyName("seconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Seconds { get; set; }
    [JsonPropertyName("path"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Path { get; set; }
    [JsonPropertyName("scoreSamples"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ScoreSamples { get; set; }
    [JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Reason { get; set; }
}

/// <summary>Every few steps (about 20 per epoch): the batch's losses.</summary>
public sealed record StepEvent() : ProgressEvent("step")
{
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    [JsonPropertyName("step")] public int Step { get; set; }
    [JsonPropertyName("steps")] public int Steps { get; set; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; set; }
    [JsonPropertyName("loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Loss { get; set; }
    [JsonPropertyName("loss_d"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossD { get; set; }
    [JsonPropertyName("loss_g"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossG { get; set; }
    [JsonPropertyName("d_x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DX { get; set; }
    [JsonPropertyName("d_g_z"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DGZ { get; set; }
    /// <summary>pix2pix: the batch's mean |G(x) − y| (pixels in [0, 1]).</summary>
    [JsonPropertyName("train_l1"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? TrainL1 { get; set; }
    [JsonPropertyName("lr")] public double Lr { get; set; }
    [JsonPropertyName("imagesPerSecond")] public double ImagesPerSecond { get; set; }
}

/// <summary>The end of an epoch: its mean losses, the evaluation, a generative run's sample scores.</summary>
public sealed record EpochEvent() : ProgressEvent("epoch")
{
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    [JsonPropertyName("epochs")] public int Epochs { get; set; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; set; }
    [JsonPropertyName("loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Loss { get; set; }
    [JsonPropertyName("accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Accuracy { get; set; }
    [JsonPropertyName("train_accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? TrainAccuracy { get; set; }
    [JsonPropertyName("val_loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ValLoss { get; set; }
    [JsonPropertyName("evaluationSet"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), WireValues("test", "validation")] public string? EvaluationSet { get; set; }
    [JsonPropertyName("loss_d"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossD { get; set; }
    [JsonPropertyName("loss_g"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossG { get; set; }
    [JsonPropertyName("d_x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DX { get; set; }
    [JsonPropertyName("d_g_z"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DGZ { get; set; }
    /// <summary>pix2pix, on the held-out pairs: mean |G(x) − y| and PSNR (dB) of the generated images (pixels in [0, 1]) …</summary>
    [JsonPropertyName("l1"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? L1 { get; set; }
    [JsonPropertyName("psnr"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Psnr { get; set; }
    /// <summary>… and of the trivial answer, the input itself: the baseline the generator must beat.</summary>
    [JsonPropertyName("l1_input"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? L1Input { get; set; }
    [JsonPropertyName("psnr_input"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? PsnrInput { get; set; }
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    [JsonPropertyName("imagesPerSecond")] public double ImagesPerSecond { get; set; }
    [JsonPropertyName("fd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Fd { get; set; }
    [JsonPropertyName("fd_real"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FdReal { get; set; }
    [JsonPropertyName("confident"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Confident { get; set; }
    [JsonPropertyName("coverage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Coverage { get; set; }
    [JsonPropertyName("classes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Classes { get; set; }
    [JsonPropertyName("scoreSamples"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ScoreSamples { get; set; }
    [JsonPropertyName("scoreSeconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ScoreSeconds { get; set; }
}

/// <summary>An image grid written to samples/epoch-NNN.png (a diffusion model's also its denoising trajectory).</summary>
public sealed record SampleEvent() : ProgressEvent("sample")
{
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary>samples/trajectory-NNN.png: a few samples from noise to image, one row each, frames left to right.</summary>
    [JsonPropertyName("trajectory"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Trajectory { get; set; }
}

public sealed record CheckpointEvent() : ProgressEvent("checkpoint")
{
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    /// <summary>Steps done in that epoch; 0 at an epoch boundary.</summary>
    [JsonPropertyName("step")] public int Step { get; set; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; set; }
    [JsonPropertyName("path")] public string Path { get; set; } = "";
}

/// <summary>The run ended well (or was stopped): the last epoch's metrics.</summary>
public sealed record FinishedEvent() : ProgressEvent("finished")
{
    [JsonPropertyName("status"), WireValues("finished", "stopped")] public string Status { get; set; } = "finished";
    /// <summary>A resume of a run that had trained all its epochs: nothing was trained.</summary>
    [JsonPropertyName("alreadyFinished"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? AlreadyFinished { get; set; }
    [JsonPropertyName("runDir")] public string RunDir { get; set; } = "";
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    [JsonPropertyName("globalStep")] public long GlobalStep { get; set; }
    [JsonPropertyName("loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Loss { get; set; }
    [JsonPropertyName("accuracy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Accuracy { get; set; }
    [JsonPropertyName("loss_g"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossG { get; set; }
    [JsonPropertyName("loss_d"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LossD { get; set; }
    [JsonPropertyName("l1"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? L1 { get; set; }
    [JsonPropertyName("psnr"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Psnr { get; set; }
    [JsonPropertyName("l1_input"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? L1Input { get; set; }
    [JsonPropertyName("psnr_input"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? PsnrInput { get; set; }
    [JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Message { get; set; }
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("fd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Fd { get; set; }
    [JsonPropertyName("fd_real"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FdReal { get; set; }
    [JsonPropertyName("confident"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Confident { get; set; }
    [JsonPropertyName("coverage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Coverage { get; set; }
    [JsonPropertyName("classes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Classes { get; set; }

    /// <summary>This event with the metrics an epoch ended with (the ones a `finished` event repeats).</summary>
    public FinishedEvent WithMetricsOf(EpochEvent? last) => last is null ? this : this with
    {
        Loss = last.Loss, Accuracy = last.Accuracy, LossG = last.LossG, LossD = last.LossD,
        L1 = last.L1, Psnr = last.Psnr, L1Input = last.L1Input, PsnrInput = last.PsnrInput,
        Fd = last.Fd, FdReal = last.FdReal, Confident = last.Confident, Coverage = last.Coverage, Classes = last.Classes,
    };
}

public sealed record FailedEvent() : ProgressEvent("failed")
{
    /// <summary>One sentence for the user.</summary>
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";
    [JsonPropertyName("runDir"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RunDir { get; set; }
    [JsonPropertyName("epoch"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Epoch { get; set; }
    [JsonPropertyName("step"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Step { get; set; }
    /// <summary>`file(line,col): error CODE: message` of what the target trains.</summary>
    [JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Errors { get; set; }
}
