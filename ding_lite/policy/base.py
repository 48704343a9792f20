"""The Policy contract the workers rely on, and everything every policy shares.

DI-engine's three modes: collect (``collect_forward`` acts on a batch of observations,
``process_rollout`` turns what the collector gathered into training data), learn (``train_batches``
yields minibatches, ``learn_step`` makes one gradient update) and eval (``eval_forward`` acts greedily).
The base owns what must exist once: the device, numpy<->tensor crossings, observation preprocessing,
the random generators, ``optimize``, and the learn state (models, optimizers, normalisers and counters
register themselves, so ``state_dict_learn`` needs no per-policy code).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

import numpy as np
import torch

from ding_lite.config.errors import ConfigError
from ding_lite.config.keys import SHAPES, Key, all_resume, defaults, merge_keys
from ding_lite.model.common.encoder import obs_dims
from ding_lite.model.common.model import Model
from ding_lite.torch_utils.device import resolve_device, to_cpu
from ding_lite.torch_utils.optim import Adam, clip_grad_norm_
from ding_lite.utils.checkpoint_io import CheckpointError
from ding_lite.utils.normalizer import RunningMeanStd

T = TypeVar("T")
MULTI_GPU_REFUSAL = ("be False: ding_lite has no multi-GPU (DDP) learner; train on one GPU with policy.cuda=True, "
                     "or run several seeds or configs side by side with python -m entry.ray_runs")


def _ding_modules_only(value: list) -> str | None:
    if all(str(n).split(".")[0] == "ding" for n in value):
        return None
    return "name only DI-engine's own modules (ding.policy.*): ding_lite builds its policies from policy.type"


Check = Callable[[dict], "tuple[str, str] | None"]
"""A rule over several keys of the compiled config: None when fine, else (the dotted key to name, the reason
completing "config key 'x' must ...")."""


def _env_nums_agree(cfg: dict) -> tuple[str, str] | None:
    """DI-engine's files repeat the env counts under policy.collect/eval.env_num; the env's count decides there."""
    for section, env_key in (("collect", "collector_env_num"), ("eval", "evaluator_env_num")):
        copy, real = cfg["policy"][section]["env_num"], cfg["env"][env_key]
        if copy is not None and copy != real:
            return (f"policy.{section}.env_num", (f"equal env.{env_key} ({real}) or be left out, got {copy}: DI-engine "
                    f"steps env.{env_key} envs and its policies of this type never read this copy"))
    return None


class Policy:
    """``config`` holds this class's key declarations (``ding_lite.config.keys``), merged along the class
    chain by ``declared_keys()``; ``checks`` are its rules over several keys, also merged along the chain.
    """

    name = "base"
    config: ClassVar[dict] = dict(
        type=Key("base", "policy name in the registry", resume=SHAPES),
        cuda=Key(False, "train on the GPU when one is available (else the CPU, said once)"),
        load_path=Key(None, "the checkpoint DI-engine's eval entry loads; entry.serial_eval plays it when given no "
                      "--ckpt/--resume (training loads through learn.learner.hook.load_ckpt_before_run)"),
        import_names=Key([], "create_config: modules to import so the policy type registers; only DI-engine's own "
                         "(ding.*) may be named and nothing is imported (ding_lite's registry holds its policies)",
                         _ding_modules_only),
        collect=dict(env_num=Key(None, "a copy of env.collector_env_num (None: the env's); must agree with it")),
        eval=dict(env_num=Key(None, "a copy of env.evaluator_env_num (None: the env's); must agree with it")),
        multi_gpu=Key(False, "DI-engine's DDP learner: not in ding_lite (must be False)",
                      lambda v: None if not v else MULTI_GPU_REFUSAL),
    )
    checks: ClassVar[tuple[Check, ...]] = (_env_nums_agree,)

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        self.cfg = cfg
        self.device, note = resolve_device(cfg["cuda"])
        self.notes: list[str] = [note] if note else []  # said once in the run's log when the run starts
        self.console_notes: list[str] = []  # said once on the console too: they change what the user gets
        self.collect_generator = torch.Generator().manual_seed(seed + 1)
        self.learn_generator = torch.Generator().manual_seed(seed + 2)
        self._learn_state: dict[str, Any] = {}
        self._lr_keys: dict[str, str] = {}
        self._counters: list[str] = []
        self.action_low = self.action_high = None
        self.bind_action_space(action_space)
        self.obs_rms = None
        if cfg.get("obs_norm"):
            shape = obs_dims(cfg["model"]["obs_shape"])
            self.obs_rms = RunningMeanStd(shape, cfg["obs_norm_clip"])

    # ----------------------------------------------------------------- configuration

    @classmethod
    def declared_keys(cls) -> dict:
        """Every key of the ``policy`` section, declared along the class chain (base first)."""
        out: dict = {}
        for klass in reversed(cls.__mro__):
            if "config" in vars(klass):
                out = merge_keys(out, vars(klass)["config"])
        if "model" in out:  # every model key shapes the saved weights, whoever declares it
            out["model"] = all_resume(out["model"], SHAPES)
        return out

    @classmethod
    def default_config(cls) -> dict:
        return defaults(cls.declared_keys())

    @classmethod
    def config_checks(cls) -> tuple[Check, ...]:
        return tuple(check for klass in reversed(cls.__mro__) for check in vars(klass).get("checks", ()))

    def bind_action_space(self, action_space: Any) -> None:
        """A continuous policy's env actions are kept within these bounds (discrete spaces have none)."""
        if action_space is not None and hasattr(action_space, "low"):
            self.action_low, self.action_high = action_space.low, action_space.high

    def check_spaces(self, obs_space: Any, act_space: Any, env_id: str) -> None:
        """The config's model shapes must match the env's spaces: one sentence naming the key otherwise."""
        model = self.cfg["model"]
        obs_shape = model["obs_shape"]
        if tuple(obs_space.shape) != obs_dims(obs_shape):
            raise ConfigError(f"config key 'policy.model.obs_shape' is {obs_shape}, "
                              f"but {env_id} observations have shape {obs_space.shape}.")
        discrete = hasattr(act_space, "n")
        n_actions = int(act_space.n) if discrete else int(act_space.shape[0])
        kind = "discrete" if discrete else "continuous"
        if model["action_space"] != kind or self.cfg["action_space"] != kind:
            raise ConfigError(f"config key 'policy.model.action_space' must be '{kind}' for {env_id}.")
        if model["action_shape"] != n_actions:
            raise ConfigError(f"config key 'policy.model.action_shape' is {model['action_shape']}, "
                              f"but {env_id} has {n_actions} {'actions' if discrete else 'action dimensions'}.")

    # ----------------------------------------------------------------- tensors, randomness, optimisation

    def to_tensor(self, array: np.ndarray) -> torch.Tensor:
        """The one numpy -> tensor crossing: shares memory on the CPU, copies to the GPU.

        Always row-major: a matmul over a column-major array (gymnasium's CartPoleVectorEnv returns its state
        transposed) rounds differently from one over the row-major copy a checkpoint gives back, so a resumed
        run would drift from an uninterrupted one. ``ascontiguousarray`` copies only such arrays.
        """
        return torch.from_numpy(np.ascontiguousarray(array)).to(self.device)

    def obs(self, obs: np.ndarray) -> torch.Tensor:
        """Observations as the model sees them: float32 (normalised when ``obs_norm``), images still uint8.

        (MuJoCo gives float64; the model's encoder scales uint8 frames on the device.)
        """
        if self.obs_rms is not None:
            obs = self.obs_rms.normalize(obs)
        elif obs.dtype == np.float64:
            obs = obs.astype(np.float32)
        return self.to_tensor(obs)

    @staticmethod
    def numpy(tensor: torch.Tensor) -> np.ndarray:
        return tensor.cpu().numpy()

    def rand(self, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
        """Uniform draws from a CPU generator, moved to the device (the same numbers on every device)."""
        return torch.rand(shape, generator=generator).to(self.device)

    def randint(self, high: int, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
        return torch.randint(high, shape, generator=generator).to(self.device)

    @staticmethod
    def optimize(loss: torch.Tensor, optimizer: Adam, max_norm: float | None) -> torch.Tensor | None:
        """One gradient step; ``max_norm`` clips the global norm (inf: only measures it, None: neither).

        Returns the norm before clipping, or None when it was not measured.
        """
        optimizer.zero_grad()
        loss.backward()
        norm = None if max_norm is None else clip_grad_norm_(optimizer.params, max_norm)
        optimizer.step()
        return norm

    # ----------------------------------------------------------------- learn state

    def register(self, name: str, obj: T) -> T:
        """Keep ``obj`` (anything with state_dict/load_state_dict) in the checkpoint under ``name``."""
        self._learn_state[name] = obj
        return obj

    def make_optimizer(self, name: str, params: Any, lr_key: str = "learning_rate") -> Adam:
        """An Adam over ``params`` at ``learn.<lr_key>``, registered; on resume an edited rate wins."""
        self._lr_keys[name] = lr_key
        return self.register(name, Adam(params, lr=self.cfg["learn"][lr_key]))

    def register_counter(self, name: str, value: int = 0) -> None:
        """An int attribute saved under ``counters`` and restored only on resume (fine-tuning restarts it)."""
        setattr(self, name, value)
        self._counters.append(name)

    def learn_modules(self) -> dict[str, Any]:
        """Everything with a state_dict that learning changes, by checkpoint name."""
        modules = dict(self._learn_state)
        if self.obs_rms is not None:
            modules["obs_rms"] = self.obs_rms
        return modules

    def side_state(self) -> dict[str, Any]:
        """What is kept beside a checkpoint, by name (a replay buffer): objects with save/load/len/missing_note."""
        return {}

    def saves_side_state(self) -> bool:
        """Whether checkpoints write the side state now (the config decides: DQN's ``save_with_ckpt``)."""
        return False

    def state_dict_learn(self) -> dict:
        state: dict[str, Any] = {name: module.state_dict() for name, module in self.learn_modules().items()}
        if self.device.type != "cpu":
            state = to_cpu(state)
        state["generators"] = {"collect": self.collect_generator.get_state(), "learn": self.learn_generator.get_state()}
        if self._counters:
            state["counters"] = {name: getattr(self, name) for name in self._counters}
        return state

    def _saved_module_state(self, module: Any, saved: dict) -> dict:
        return module.upgrade_state_dict(saved) if isinstance(module, Model) else saved

    def check_learn_state(self, state: dict, source: str) -> None:
        """Refuse a checkpoint whose tensors do not fit this policy, naming the parameter and both shapes."""
        for name, module in self.learn_modules().items():
            if not isinstance(module, torch.nn.Module):
                continue
            saved = state.get(name)
            if saved is None:
                raise CheckpointError(f"checkpoint '{source}' holds no '{name}' state for the {self.name} policy.")
            saved = self._saved_module_state(module, saved)
            own = module.state_dict()
            missing = sorted(set(own) - set(saved))
            extra = sorted(set(saved) - set(own))
            if missing or extra:
                key = (missing or extra)[0]
                what = "lacks" if missing else "has an unexpected"
                raise CheckpointError(f"checkpoint '{source}' {what} parameter '{name}.{key}' for this model.")
            for key, tensor in own.items():
                if tuple(saved[key].shape) != tuple(tensor.shape):
                    raise CheckpointError(
                        f"checkpoint '{source}' parameter '{name}.{key}' has shape {tuple(saved[key].shape)}, "
                        f"but this model's is {tuple(tensor.shape)}."
                    )

    def load_state_dict_learn(self, state: dict, restore_rng: bool = True) -> None:
        """restore_rng=False keeps this run's own sampling streams and counters (fine-tuning from other weights)."""
        for name, module in self.learn_modules().items():
            if name in state:
                module.load_state_dict(self._saved_module_state(module, state[name]))
        for name, lr_key in self._lr_keys.items():
            self._learn_state[name].lr = self.cfg["learn"][lr_key]  # an edited learning rate wins on resume
        if restore_rng and "generators" in state:
            self.collect_generator.set_state(state["generators"]["collect"])
            self.learn_generator.set_state(state["generators"]["learn"])
        if restore_rng and "counters" in state:
            for name in self._counters:
                setattr(self, name, int(state["counters"][name]))

    # ----------------------------------------------------------------- the modes (families implement them)

    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def process_rollout(self, rollout: Any, last_obs: np.ndarray | None) -> Any:
        raise NotImplementedError

    def train_batches(self, data: Any) -> Iterator[Any]:
        raise NotImplementedError

    def learn_step(self, batch: Any) -> dict[str, float]:
        raise NotImplementedError
