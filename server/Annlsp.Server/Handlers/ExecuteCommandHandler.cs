using Annlsp.Language.Semantics;
using Annlsp.Language.Text;
using Annlsp.Server.Protocol;
using Annlsp.Server.Training;
using Annlsp.Server.Translation;
using Annlsp.Server.Transport;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Handlers;

/// <summary>
/// workspace/executeCommand: `annlsp.networkGraph` [uri, network] → the network's layers and shapes, and its
/// graph (<see cref="NetworkModel.Graph"/>: nodes in execution order with their inputs);
/// `annlsp.train` [uri, target] and `annlsp.stop` [uri, target] (see <see cref="TrainingManager"/>);
/// `annlsp.exportTorchrun` [uri, target] writes the training's torchrun package (see <see cref="TorchrunExport"/>).
/// Also window/workDoneProgress/cancel, which stops the run that progress belongs to.
/// </summary>
public sealed class ExecuteCommandHandler(ServerSession session, TrainingManager training) : IHandler
{
    public const string NetworkGraph = "annlsp.networkGraph", Train = "annlsp.train", Stop = "annlsp.stop", ExportTorchrun = "annlsp.exportTorchrun";

    private readonly TorchrunExport torchrun = new(session);

    public void Contribute(ServerCapabilities capabilities) =>
        capabilities.ExecuteCommandProvider = new ExecuteCommandOptions([NetworkGraph, Train, Stop, ExportTorchrun]);

    [LspMethod("workspace/executeCommand")]
    public async Task<JToken?> Execute(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        var args = request.Arguments ?? new JArray();
        string Arg(int i, string name) =>
            args.Count > i && args[i].Type == JTokenType.String ? args[i].Value<string>()! : throw LspException.InvalidParams($"{request.Command}: argument {i + 1} ({name}) must be a string");
        switch (request.Command)
        {
            case NetworkGraph:
                return await GraphAsync(Arg(0, "uri"), Arg(1, "network name"), cancellationToken);
            case Train:
                return await training.StartAsync(Arg(0, "uri"), Arg(1, "target"));
            case Stop:
                return new JValue(await training.StopAsync(Arg(0, "uri"), Arg(1, "target")));
            case ExportTorchrun:
                return await torchrun.ExportAsync(Arg(0, "uri"), Arg(1, "target"));
            default:
                throw LspException.InvalidParams($"unknown command '{request.Command}'; known: {NetworkGraph}, {Train}, {Stop}, {ExportTorchrun}");
        }
    }

    [LspMethod("window/workDoneProgress/cancel")]
    public Task CancelProgress(WorkDoneProgressCancelParams request) =>
        training.StopByProgressTokenAsync(request.Token.Type == JTokenType.String ? request.Token.Value<string>()! : request.Token.ToString());

    private async Task<JToken> GraphAsync(string uri, string name, CancellationToken cancellationToken)
    {
        var snapshot = session.Documents.Get(uri);
        var analysis = await snapshot.GetAnalysisAsync(cancellationToken);
        if (!analysis.Networks.TryGetValue(name, out var network))
            throw LspException.RequestFailed($"no checked network named '{name}' in {uri}");
        JArray Dims(Shape s) => new(s.Dims.Select(d => (object)d).ToArray());
        JArray Layers(IEnumerable<LayerInstance> layers) => new(layers.Select(l =>
        {
            var o = new JObject
            {
                ["kind"] = l.Kind,
                ["category"] = l.Category,
                ["label"] = SummaryTable.Short(l),
                ["input"] = Dims(l.Input),
                ["output"] = Dims(l.Output),
                ["params"] = l.Parameters,
                ["macs"] = l.MultiplyAdds,
                ["line"] = Line(l.UseSite ?? l.Span),
            };
            if (l.Body.Count > 0) o["body"] = Layers(l.Body);
            return o;
        }));
        int Line(TextSpan span) => LspTranslator.ToLine(analysis.Text, span.Start);
        // The graph the network view draws: every node with the ids of the nodes it reads, so a skip
        // (an input that is not the node right before) can be drawn as an arc from where it is defined.
        var nodes = new JArray(network.Graph.Nodes.Select(n =>
        {
            var o = new JObject
            {
                ["id"] = n.Id,
                ["kind"] = n.Kind,
                ["category"] = n.Layer?.Category ?? n.Kind,
                ["label"] = n.Layer is null ? n.Kind : SummaryTable.Short(n.Layer),
                ["inputs"] = new JArray(n.Inputs.Select(i => (object)i).ToArray()),
                ["output"] = Dims(n.Output),
                ["params"] = n.Parameters,
                ["macs"] = n.MultiplyAdds,
                ["line"] = Line(n.Layer?.UseSite ?? n.Span),
                ["key"] = n.Key,
            };
            if (n.Name is not null) o["name"] = n.Name;
            return o;
        }));
        return new JObject
        {
            ["name"] = network.Name,
            ["input"] = Dims(network.Input),
            ["output"] = Dims(network.Output),
            ["layers"] = Layers(network.Layers),
            ["nodes"] = nodes,
            ["outputNode"] = network.Graph.OutputId,
            ["params"] = network.Parameters,
            ["macs"] = network.MultiplyAdds,
            ["valid"] = network.IsValid,
        };
    }
}
