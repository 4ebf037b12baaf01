using System.Text.Json.Nodes;
using Annlsp.Progress;
using Annlsp.Training.Data;
using static TorchSharp.torch;

namespace Annlsp.Training.Training;

/// <summary>
/// What one kind of training (a classifier, a GAN; next pix2pix and diffusion) adds to the one loop of
/// <see cref="Trainer"/>: its networks and optimizers, one batch, its metrics, its evaluation and preview, and what
/// its checkpoint holds. The loop owns the rest — epochs, steps, the learning-rate schedule, the batch order, stop,
/// NaN, resume, checkpoints and every event. Built after <c>torch.manual_seed(seed)</c>, so a kind's weight
/// initialisation is the same in a run and in its resume.
/// </summary>
internal interface ITargetKind : IDisposable
{
    /// <summary>`classifier` | `gan` | `diffusion`: run.json's and the `started` event's `kind`.</summary>
    string Name { get; }

    /// <summary>The data set, on the device: the batches are drawn from its training split.</summary>
    DataSplit Data { get; }

    /// <summary>run.json's fields that differ between kinds.</summary>
    RunDescription Describe();

    /// <summary>Checkpoint tensors by name (prefix included, as `model.` or `generator.`) and the kind's own meta (null: none).</summary>
    IEnumerable<(string Name, Tensor Value)> CheckpointTensors();
    JsonNode? CheckpointInput { get; }

    /// <summary>Restores the networks and optimizers from a checkpoint (one this kind wrote, or an older trainer did).</summary>
    void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> state);

    /// <summary>After `started`: what the kind sets up only for training (a GAN's reference classifier).</summary>
    void BeforeTraining();

    /// <summary>Networks into training mode and the epoch's running sums to zero.</summary>
    void BeginEpoch();

    /// <summary>
    /// One optimizer step on the examples <paramref name="indices"/> (inside the loop's dispose scope) at the learning
    /// rate <paramref name="lr"/>, adding to the epoch's sums; <paramref name="globalStep"/> (0-based) seeds the batch's augmentation. With <paramref name="report"/>, the batch's values for the
    /// `step` event, copied to the host (the loop's only device sync, every few steps); else null.
    /// </summary>
    double[]? TrainBatch(Tensor indices, int count, long globalStep, double lr, bool report);

    /// <summary>The step event with the batch's values of <see cref="TrainBatch"/>; its TensorBoard scalars.</summary>
    StepEvent StepMetrics(StepEvent e, double[] report);

    /// <summary>
    /// The end of an epoch's training: its mean metrics (the run's result), and the first value that is not finite (a
    /// diverged run) or null.
    /// </summary>
    (Dictionary<string, double> Metrics, double? Diverged) EpochTraining(long seen);

    /// <summary>The epoch's evaluation (added to <paramref name="metrics"/>), its event and TensorBoard scalars.</summary>
    EpochEvent Evaluate(int epoch, Dictionary<string, double> metrics, EpochEvent e);

    /// <summary>Writes the epoch's image grid to <paramref name="path"/>; false when the kind has nothing to show.</summary>
    bool WritePreview(string path);

    /// <summary>What else the last <see cref="WritePreview"/> wrote: a diffusion model's denoising trajectory (null: nothing).</summary>
    string? TrajectoryPath => null;

    /// <summary>The `finished` event with the result (<paramref name="metrics"/>: the last epoch's, or a stop's).</summary>
    FinishedEvent Finished(FinishedEvent e, Dictionary<string, double> metrics);

    /// <summary>A stop in the middle of an epoch: the `finished` event (status `stopped`) with what the <paramref name="seen"/>
    /// examples of this epoch measured, also added to <paramref name="metrics"/> (the last full epoch's, the run's result).</summary>
    FinishedEvent Stopped(FinishedEvent e, long seen, Dictionary<string, double> metrics);

    /// <summary>model.pt (what `annlsp sample`, evaluate and export read) and the kind's other networks.</summary>
    void SaveModels(string runDir);
}

/// <summary>The kind's part of run.json.</summary>
internal sealed record RunDescription(string Loss, double? LabelSmoothing, JsonNode? Normalisation, JsonObject Networks);
