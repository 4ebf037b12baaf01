namespace Annlsp.Language.Diagnostics;

/// <summary>
/// Every diagnostic the language reports, in one place. Codes are stable: ANN1xxx syntax, ANN2xxx names
/// and arguments, ANN3xxx shapes, ANN4xxx training values, ANN5xxx warnings and hints, ANN9999 an internal error.
/// Messages, related locations and fixes are written in <see cref="DiagnosticBuilder"/>, one factory per code.
/// docs/language.md has an example and the fix for each; examples/mistakes/ has one file per code.
/// </summary>
public static class DiagnosticCatalog
{
    private static DiagnosticDescriptor Error(string code, string title) => new(code, DiagnosticSeverity.Error, title);
    private static DiagnosticDescriptor Warning(string code, string title) => new(code, DiagnosticSeverity.Warning, title);
    private static DiagnosticDescriptor Information(string code, string title) => new(code, DiagnosticSeverity.Information, title);
    private static DiagnosticDescriptor Hint(string code, string title, params DiagnosticTag[] tags) => new(code, DiagnosticSeverity.Hint, title, tags);

    // Syntax
    public static readonly DiagnosticDescriptor UnexpectedCharacter = Error("ANN1001", "Unexpected character");
    public static readonly DiagnosticDescriptor UnterminatedString = Error("ANN1002", "Unterminated string");
    public static readonly DiagnosticDescriptor BadNumber = Error("ANN1003", "Invalid number");
    public static readonly DiagnosticDescriptor BadShapeLiteral = Error("ANN1004", "Invalid shape literal");
    public static readonly DiagnosticDescriptor ExpectedToken = Error("ANN1005", "Missing token");
    public static readonly DiagnosticDescriptor UnexpectedToken = Error("ANN1006", "Unexpected token");
    public static readonly DiagnosticDescriptor NestingTooDeep = Error("ANN1007", "Nesting too deep");
    public static readonly DiagnosticDescriptor BadEscape = Error("ANN1008", "Invalid escape sequence");

    // Names and arguments
    public static readonly DiagnosticDescriptor UnknownLayer = Error("ANN2001", "Unknown layer");
    public static readonly DiagnosticDescriptor UnknownNetwork = Error("ANN2002", "Unknown network");
    public static readonly DiagnosticDescriptor DuplicateDeclaration = Error("ANN2003", "Duplicate declaration");
    public static readonly DiagnosticDescriptor UnknownArgument = Error("ANN2004", "Unknown argument");
    public static readonly DiagnosticDescriptor DuplicateArgument = Error("ANN2005", "Duplicate argument");
    public static readonly DiagnosticDescriptor MissingArgument = Error("ANN2006", "Missing required argument");
    public static readonly DiagnosticDescriptor WrongArgumentType = Error("ANN2007", "Wrong argument type");
    public static readonly DiagnosticDescriptor BlockRecursion = Error("ANN2008", "Block recursion");
    public static readonly DiagnosticDescriptor UnknownDataSet = Error("ANN2009", "Unknown data set");
    public static readonly DiagnosticDescriptor UnknownOptimizer = Error("ANN2010", "Unknown optimizer");
    public static readonly DiagnosticDescriptor TooManyArguments = Error("ANN2011", "Too many positional arguments");
    public static readonly DiagnosticDescriptor PositionalAfterNamed = Error("ANN2012", "Positional argument after a named one");
    public static readonly DiagnosticDescriptor MissingInput = Error("ANN2013", "Network does not start with input");
    public static readonly DiagnosticDescriptor MisplacedInput = Error("ANN2014", "input is only allowed as a network's first layer");
    public static readonly DiagnosticDescriptor UnknownProperty = Error("ANN2015", "Unknown property");
    public static readonly DiagnosticDescriptor MissingProperty = Error("ANN2016", "Missing property");
    public static readonly DiagnosticDescriptor DuplicateProperty = Error("ANN2017", "Duplicate property");
    public static readonly DiagnosticDescriptor DuplicateTrain = Error("ANN2018", "Duplicate train declaration");
    public static readonly DiagnosticDescriptor UnknownLoss = Error("ANN2019", "Unknown loss");
    public static readonly DiagnosticDescriptor UnknownSchedule = Error("ANN2020", "Unknown schedule");
    public static readonly DiagnosticDescriptor UnknownTensor = Error("ANN2021", "Unknown tensor name");
    public static readonly DiagnosticDescriptor DuplicateTensor = Error("ANN2022", "Duplicate tensor name");
    public static readonly DiagnosticDescriptor TensorUsedBeforeDefinition = Error("ANN2023", "Tensor name used before it is defined");
    public static readonly DiagnosticDescriptor TensorWhereValueExpected = Error("ANN2024", "Tensor given where a value is expected");
    public static readonly DiagnosticDescriptor ValueWhereTensorExpected = Error("ANN2025", "Value given where a tensor is expected");
    public static readonly DiagnosticDescriptor TimeOutsideDenoiser = Error("ANN2026", "time outside a diffusion denoiser");
    public static readonly DiagnosticDescriptor MergeWithoutTensors = Error("ANN2027", "Merge without tensors");

    // Shapes
    public static readonly DiagnosticDescriptor DenseOnImage = Error("ANN3001", "dense expects a vector");
    public static readonly DiagnosticDescriptor ImageLayerOnVector = Error("ANN3002", "Layer expects an image (C×H×W)");
    public static readonly DiagnosticDescriptor WindowTooLarge = Error("ANN3003", "Window larger than the padded input");
    public static readonly DiagnosticDescriptor SizeNotPositive = Error("ANN3004", "Spatial size falls to zero or below");
    public static readonly DiagnosticDescriptor ReshapeMismatch = Error("ANN3005", "reshape element count mismatch");
    public static readonly DiagnosticDescriptor ResidualShapeChange = Error("ANN3006", "residual body changes the shape");
    public static readonly DiagnosticDescriptor SamePaddingWithStride = Error("ANN3007", "padding: same with stride > 1");
    public static readonly DiagnosticDescriptor GanShapeMismatch = Error("ANN3008", "Generator output does not fit the discriminator");
    public static readonly DiagnosticDescriptor DiscriminatorOutput = Error("ANN3009", "Discriminator must output one logit");
    public static readonly DiagnosticDescriptor GeneratorInput = Error("ANN3010", "Generator input must be a vector");
    public static readonly DiagnosticDescriptor DataShapeMismatch = Error("ANN3011", "Data set shape does not fit the network input");
    public static readonly DiagnosticDescriptor ClassCountMismatch = Error("ANN3012", "Class count does not match the classifier output");
    public static readonly DiagnosticDescriptor ShapeTooLarge = Error("ANN3013", "Tensor too large");
    public static readonly DiagnosticDescriptor BadPoolPadding = Error("ANN3014", "Pool padding larger than half the window");
    public static readonly DiagnosticDescriptor ClassifierOutputNotVector = Error("ANN3015", "Classifier output must be a vector");
    public static readonly DiagnosticDescriptor ZeroDimension = Error("ANN3016", "Shape with a zero dimension");
    public static readonly DiagnosticDescriptor OutputPaddingTooLarge = Error("ANN3017", "output_padding not smaller than the stride or dilation");
    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error("ANN3018", "Channels not divisible by groups");
    public static readonly DiagnosticDescriptor TooFewValuesToNormalise = Error("ANN3019", "One value per channel to normalise");
    public static readonly DiagnosticDescriptor ConcatMismatch = Error("ANN3020", "concat inputs differ in height and width");
    public static readonly DiagnosticDescriptor AddMismatch = Error("ANN3021", "add inputs differ in shape");
    public static readonly DiagnosticDescriptor ShortcutMismatch = Error("ANN3022", "Shortcut does not end in the body's shape");
    public static readonly DiagnosticDescriptor ConditionalDiscriminatorInput = Error("ANN3030", "Conditional discriminator must see the input beside the image");
    public static readonly DiagnosticDescriptor PatchDiscriminatorOutput = Error("ANN3031", "Conditional discriminator must output one logit or a patch map");
    public static readonly DiagnosticDescriptor ConditionalGanNeedsPairs = Error("ANN3032", "Conditional gan needs a paired data set");
    public static readonly DiagnosticDescriptor PairsDoNotFitGenerator = Error("ANN3033", "Paired data set does not fit the generator");
    public static readonly DiagnosticDescriptor PairsWithoutConditionalGan = Error("ANN3034", "Paired data set needs a conditional gan");
    public static readonly DiagnosticDescriptor DenoiserShapeMismatch = Error("ANN3035", "Denoiser output does not equal its input");

    // Training values
    public static readonly DiagnosticDescriptor OutOfRange = Error("ANN4001", "Value out of range");
    public static readonly DiagnosticDescriptor OutPathOutsideWorkspace = Error("ANN4002", "Run folder outside the workspace");
    public static readonly DiagnosticDescriptor UnknownDevice = Error("ANN4003", "Unknown device");
    public static readonly DiagnosticDescriptor BadPreviewGrid = Error("ANN4004", "Invalid preview grid");
    public static readonly DiagnosticDescriptor BadValidationSplit = Error("ANN4005", "Invalid validation split");
    public static readonly DiagnosticDescriptor TooFewScoreSamples = Error("ANN4006", "One sample cannot be scored");
    public static readonly DiagnosticDescriptor UnsupportedChannels = Error("ANN4007", "Unsupported channel count");
    public static readonly DiagnosticDescriptor EdgesOfPairs = Error("ANN4008", "edges needs a data set of images");
    public static readonly DiagnosticDescriptor BadL1Weight = Error("ANN4009", "Invalid l1 weight");
    public static readonly DiagnosticDescriptor DiffusionStepsOutOfRange = Error("ANN4012", "Diffusion steps out of range");
    public static readonly DiagnosticDescriptor BadBetaRange = Error("ANN4013", "Invalid β range");
    public static readonly DiagnosticDescriptor SamplerStepsOutOfRange = Error("ANN4014", "Sampler steps out of range");
    public static readonly DiagnosticDescriptor EmaOutOfRange = Error("ANN4015", "EMA decay out of range");
    public static readonly DiagnosticDescriptor UnknownDiffusionValue = Error("ANN4016", "Unknown noise schedule or sampler");

    // Warnings and hints
    public static readonly DiagnosticDescriptor PoolDropsPixels = Warning("ANN5001", "Pooling or a strided convolution drops rows or columns");
    public static readonly DiagnosticDescriptor GeneratorNotTanh = Warning("ANN5002", "Generator does not end in tanh");
    public static readonly DiagnosticDescriptor DoubleActivation = Warning("ANN5003", "Two activations in a row");
    public static readonly DiagnosticDescriptor DenseWithoutActivation = Warning("ANN5004", "Dense layers without an activation between them");
    public static readonly DiagnosticDescriptor UnusedNetwork = Hint("ANN5005", "Network is not used by any train or gan", DiagnosticTag.Unnecessary);
    public static readonly DiagnosticDescriptor LargeModel = Warning("ANN5006", "Very large parameter count");
    public static readonly DiagnosticDescriptor UnusedBlock = Hint("ANN5007", "Block is never used", DiagnosticTag.Unnecessary);
    public static readonly DiagnosticDescriptor UnusedTensor = Hint("ANN5009", "Tensor name is never used", DiagnosticTag.Unnecessary);
    /// <summary>Reported by the language server, not the core: a document past its size limits (docs/server.md).</summary>
    public static readonly DiagnosticDescriptor DocumentTooLarge = Information("ANN5008", "Document too large for every editor feature");
    public static readonly DiagnosticDescriptor L1OnUnconditionalGan = Warning("ANN5012", "l1 on a gan whose generator does not take an image");
    public static readonly DiagnosticDescriptor DenoiserWithoutTime = Warning("ANN5014", "Denoiser never uses time");
    public static readonly DiagnosticDescriptor NoiseLeftAtLastStep = Warning("ANN5015", "Signal left at the last diffusion step");
    public static readonly DiagnosticDescriptor DenoiserEndsInActivation = Warning("ANN5016", "Denoiser ends in a bounded activation");
    public static readonly DiagnosticDescriptor BatchStatisticOutsideDiscriminator = Warning("ANN5017", "minibatchstd outside a discriminator");

    /// <summary>Reported when the checker itself fails (a bug), never for a mistake in the document.</summary>
    public static readonly DiagnosticDescriptor InternalError = Error("ANN9999", "Internal error");

    /// <summary>
    /// Codes about a document or the checker rather than a mistake in the text: the server's size notice and
    /// the internal error. No example in examples/mistakes.
    /// </summary>
    public static IReadOnlyList<DiagnosticDescriptor> WithoutMistakeExample { get; } = [DocumentTooLarge, InternalError];

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
        typeof(DiagnosticCatalog).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Code)
            .ToArray();
}
