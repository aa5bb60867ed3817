import Traces

/// A model that answers prompts for a generate run: the local engine or an
/// OpenAI-compatible endpoint.
public protocol Teacher: AnyObject {
    /// What the trace records say wrote them.
    var identity: TeacherIdentity { get }
    /// How many jobs it works on at once (batch slots or requests in flight); the run keeps
    /// about twice as many queued.
    var parallelism: Int { get }
    /// Takes jobs from `queue` and reports every one of them, until `queue.take()` returns
    /// nil. A job's failure is reported, not thrown; a throw means the teacher itself broke
    /// (the model could not be run at all) and ends the run.
    func run(_ queue: JobQueue) throws
}

/// Who answered: the model's name, a local file's sha256, an endpoint's URL; stored in every
/// trace as it is.
public typealias TeacherIdentity = TraceTeacher
