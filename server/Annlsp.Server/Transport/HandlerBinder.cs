using System.Reflection;
using Annlsp.Server.Protocol;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;

namespace Annlsp.Server.Transport;

/// <summary>Marks a handler method as the implementation of one LSP method (request or notification).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LspMethodAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Registers handler methods with StreamJsonRpc. Each LSP method is bound to a small invoker that takes the raw
/// params, deserialises them into the spec's record with the LSP serializer and calls the handler. Doing the
/// deserialisation here (not in StreamJsonRpc's overload resolution) turns params of the wrong shape into the
/// JSON-RPC error the specification asks for, -32602 InvalidParams, instead of "method not found".
/// Handler methods look like <c>Hover? Hover(HoverParams p, CancellationToken ct)</c>; they may return a Task.
/// </summary>
public static class HandlerBinder
{
    private static readonly MethodInfo InvokeMethod = typeof(Invoker).GetMethod(nameof(Invoker.InvokeAsync))!;

    public static IReadOnlyList<string> Bind(JsonRpc rpc, object handler, JsonSerializer serializer)
    {
        var names = new List<string>();
        foreach (var method in handler.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            var attribute = method.GetCustomAttribute<LspMethodAttribute>();
            if (attribute is null) continue;
            var invoker = new Invoker(handler, method, serializer, attribute.Name);
            rpc.AddLocalRpcMethod(InvokeMethod, invoker, new JsonRpcMethodAttribute(attribute.Name) { UseSingleObjectParameterDeserialization = true });
            names.Add(attribute.Name);
        }
        return names;
    }

    public sealed class Invoker
    {
        private readonly object _handler;
        private readonly MethodInfo _method;
        private readonly JsonSerializer _serializer;
        private readonly string _name;
        private readonly ParameterInfo[] _parameters;
        private readonly PropertyInfo? _resultProperty;

        internal Invoker(object handler, MethodInfo method, JsonSerializer serializer, string name)
        {
            _handler = handler;
            _method = method;
            _serializer = serializer;
            _name = name;
            _parameters = method.GetParameters();
            if (method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
                _resultProperty = method.ReturnType.GetProperty("Result");
        }

        public async Task<object?> InvokeAsync(JToken? @params = null, CancellationToken cancellationToken = default)
        {
            var args = new object?[_parameters.Length];
            for (int i = 0; i < _parameters.Length; i++)
            {
                var type = _parameters[i].ParameterType;
                if (type == typeof(CancellationToken)) args[i] = cancellationToken;
                else args[i] = Deserialize(@params, type);
            }
            object? result;
            try { result = _method.Invoke(_handler, args); }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
            if (result is Task task)
            {
                await task.ConfigureAwait(true);
                return LspSerializer.ForWire(_resultProperty?.GetValue(task));
            }
            return LspSerializer.ForWire(result);
        }

        private object? Deserialize(JToken? token, Type type)
        {
            if (type == typeof(JToken) || type == typeof(JObject)) return token is JObject || type == typeof(JToken) ? token : null;
            if (token is null || token.Type == JTokenType.Null)
                throw new LspException(LspErrorCodes.InvalidParams, $"'{_name}' needs params");
            try
            {
                return token.ToObject(type, _serializer) ?? throw new LspException(LspErrorCodes.InvalidParams, $"'{_name}': params are empty");
            }
            catch (JsonException e)
            {
                throw new LspException(LspErrorCodes.InvalidParams, $"invalid params for '{_name}': {e.Message}");
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                throw new LspException(LspErrorCodes.InvalidParams, $"invalid params for '{_name}': {e.Message}");
            }
        }
    }
}
