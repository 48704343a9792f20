"""TRPO (Schulman et al., 2015) as garage trains it: a natural-gradient step found by conjugate gradient
on Fisher-vector products, scaled to the KL trust region and shrunk by a backtracking line search.

One collect gives one policy step (one train_iter, garage's epoch). Advantages are GAE over a
baseline and centred (garage's ``center_adv``). Baselines (``learn.baseline``):
``'linear_feature'`` (garage's: least squares on observation, its square and time features, refitted
on each collect's discounted returns after the step; its coefficients are in the learn state) or
``'value'`` (the VAC critic, regressed on the GAE returns with Adam after the step). The time
feature is each env's step within its episode, counted here (``episode_steps``, also in the learn
state, so a resumed run fits the same features). When a resume cannot restore the envs (they start
new episodes), the counts run on from the checkpoint until each env's episode ends: only the
baseline's time features are off meanwhile.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from ding_lite.config import ConfigError
from ding_lite.config.keys import LITE, Key
from ding_lite.config.rules import in_unit_interval, non_negative, one_of, positive
from ding_lite.model.common.encoder import obs_dims
from ding_lite.policy.on_policy import OnPolicy
from ding_lite.rl_utils import backtracking_line_search, categorical_kl, conjugate_gradient, diag_gaussian_kl, gae
from ding_lite.rl_utils.linear_baseline import LinearFeatureBaseline

BASELINES = ("linear_feature", "value")


class EpisodeSteps:
    """Each collector env's step within its current episode, advanced by every processed rollout."""

    def __init__(self) -> None:
        self.steps = torch.zeros(0, dtype=torch.int64)

    def advance(self, done: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(step of every ``[T, N]`` transition, step of the observation after it)."""
        if self.steps.numel() != done.shape[1]:
            self.steps = torch.zeros(done.shape[1], dtype=torch.int64)
        rows, current = [], self.steps
        for row in done:
            rows.append(current)
            current = (current + 1) * (~row)
        self.steps = current
        steps = torch.stack(rows)
        return steps, steps + 1

    def state_dict(self) -> dict:
        return {"steps": self.steps.clone()}

    def load_state_dict(self, state: dict) -> None:
        self.steps = state["steps"].clone()


class TRPOPolicy(OnPolicy):
    name = "trpo"
    config: ClassVar[dict] = dict(
        type="trpo",
        model=dict(share_encoder=Key(False, "the trust-region step moves the actor alone, so no shared encoder",
                                     lambda v: None if not v else
                                     "be False: TRPO steps the actor alone, so the critic cannot share its encoder")),
        learn=dict(
            max_kl_step=Key(0.01, "garage: the trust region, max mean KL(old || new) of one step",
                            lambda v: None if v > 0 else "be > 0 (the KL trust region)", di=LITE),
            cg_iters=Key(10, "garage: conjugate-gradient iterations for the step direction",
                         lambda v: None if v >= 1 else "be >= 1 (conjugate-gradient iterations)", di=LITE),
            cg_damping=Key(1e-5, "garage's reg_coeff: F + damping * I keeps the solve well posed", non_negative,
                           di=LITE),
            backtrack_ratio=Key(0.8, "garage: each line-search try shrinks the step by this",
                                lambda v: None if 0 < v < 1 else "be between 0 and 1 (exclusive)", di=LITE),
            max_backtracks=Key(15, "garage: line-search tries before the step is given up", positive, di=LITE),
            baseline=Key("linear_feature", "garage: 'linear_feature' (least squares) or 'value' (the critic)",
                         one_of(*BASELINES), di=LITE),
            center_adv=Key(True, "garage: standardise each collect's advantages", di=LITE),
            discount=Key(None, "garage's name for collect.discount_factor; when set it wins",
                         lambda v: None if v is None or 0 <= v <= 1 else "be between 0 and 1", di=LITE),
            epoch_per_collect=Key(5, "baseline 'value' only: Adam epochs over each collect", positive),
            batch_size=Key(64, "baseline 'value' only: minibatch size", positive),
            learning_rate=Key(1e-3, "baseline 'value' only: Adam step size", positive),
        ),
        collect=dict(
            n_sample=Key(4000, "garage's batch_size: env steps per policy step (over all collector envs)", positive),
            discount_factor=0.99,
            gae_lambda=Key(0.98, "GAE's lambda (garage's TRPO default)", in_unit_interval),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        self.use_linear = cfg["learn"]["baseline"] == "linear_feature"
        super().__init__(cfg, seed, action_space)
        self.actor_params = self.model.actor_parameters()
        self.gamma = cfg["collect"]["discount_factor"] if cfg["learn"]["discount"] is None else cfg["learn"]["discount"]
        self.episode_steps = self.register("episode_steps", EpisodeSteps())
        if self.use_linear:
            dims = obs_dims(cfg["model"]["obs_shape"])
            if len(dims) != 1:
                raise ConfigError("config key 'policy.learn.baseline' is 'linear_feature', which needs flat "
                                  "observations: use 'value' for image observations.")
            self.baseline = self.register("baseline", LinearFeatureBaseline(dims[0]).to(self.device))

    def optimized_parameters(self) -> list[torch.nn.Parameter]:
        """Adam trains only the critic (baseline 'value'); the actor moves by the trust-region step."""
        actor = {id(p) for p in self.model.actor_parameters()}
        return [p for p in self.model.parameters() if id(p) not in actor]

    # ----------------------------------------------------------------- rollouts

    def _values(self, obs: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
        if self.use_linear:
            return self.baseline.predict(obs.reshape(-1, *obs.shape[-1:]), steps.reshape(-1)).reshape(steps.shape)
        return self.model.value(obs)

    @torch.no_grad()
    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> dict[str, torch.Tensor]:
        """GAE over the baseline's values (a truncated episode bootstraps from its final observation), and the
        discounted returns (GAE with lambda 1) the linear baseline is fitted to."""
        terminated, truncated = self.to_tensor(rollout["terminated"]), self.to_tensor(rollout["truncated"])
        steps, next_steps = self.episode_steps.advance((terminated | truncated).cpu())
        steps, next_steps = steps.to(self.device), next_steps.to(self.device)
        obs = self.obs(rollout["obs"])
        values = self._values(obs, steps)
        next_values = torch.empty_like(values)
        next_values[:-1] = values[1:]
        next_values[-1] = self._values(self.obs(last_obs), next_steps[-1])
        trunc_t, trunc_i = np.nonzero(rollout["truncated"])
        if len(trunc_t):
            final = self.obs(rollout["final_obs"][trunc_t, trunc_i])
            next_values[trunc_t, trunc_i] = self._values(final, next_steps[trunc_t, trunc_i])
        reward = self.to_tensor(rollout["reward"])
        lam = self.cfg["collect"]["gae_lambda"]
        adv, ret = gae(reward, values, next_values, terminated, truncated, self.gamma, lam)
        mc_ret = gae(reward, values, next_values, terminated, truncated, self.gamma, 1.0)[1] if self.use_linear else ret
        if self.obs_rms is not None:
            self.obs_rms.update(rollout["obs"].reshape(-1, *rollout["obs"].shape[2:]))
        flat = {"obs": obs, "action": self.to_tensor(rollout["action"]), "adv": adv, "ret": ret,
                "mc_ret": mc_ret, "steps": steps, "value": values}
        return {k: v.reshape(-1, *v.shape[2:]) for k, v in flat.items()}

    def train_batches(self, data: dict[str, torch.Tensor]) -> Iterator[dict[str, torch.Tensor]]:
        yield data  # one trust-region step per collect

    # ----------------------------------------------------------------- the step

    def _loss_kl(self, batch: dict[str, torch.Tensor], adv: torch.Tensor, old_out: Any,
                 old_logp: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(surrogate loss, mean KL(old || new)) at the actor's current parameters."""
        out = self.model.actor(batch["obs"])
        logp, _ = self.log_prob_entropy(out, batch["action"])
        loss = -(torch.exp(logp - old_logp) * adv).mean()
        kl = diag_gaussian_kl(*old_out, *out) if self.continuous else categorical_kl(old_out, out)
        return loss, kl

    def _policy_step(self, batch: dict[str, torch.Tensor], adv: torch.Tensor) -> dict[str, float]:
        learn, params = self.cfg["learn"], self.actor_params
        with torch.no_grad():
            old_out = self.model.actor(batch["obs"])
            old_logp, entropy = self.log_prob_entropy(old_out, batch["action"])
        loss, kl = self._loss_kl(batch, adv, old_out, old_logp)
        grad = parameters_to_vector(torch.autograd.grad(loss, params, retain_graph=True))
        kl_grad = parameters_to_vector(torch.autograd.grad(kl, params, create_graph=True))

        def fvp(v: torch.Tensor) -> torch.Tensor:
            hv = torch.autograd.grad(kl_grad @ v, params, retain_graph=True)
            return parameters_to_vector(hv).detach() + learn["cg_damping"] * v

        direction = conjugate_gradient(fvp, grad.detach(), learn["cg_iters"])
        curvature = float(direction @ fvp(direction))
        scale = (2.0 * learn["max_kl_step"] / curvature) ** 0.5 if curvature > 0 else 0.0
        full_step = -scale * direction
        old_params = parameters_to_vector(params).detach().clone()

        @torch.no_grad()
        def loss_kl_at(step: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            vector_to_parameters(old_params + step, params)
            return self._loss_kl(batch, adv, old_out, old_logp)

        accepted = backtracking_line_search(loss_kl_at, full_step, float(-(grad @ full_step)), learn["max_kl_step"],
                                            learn["backtrack_ratio"], learn["max_backtracks"])
        vector_to_parameters(old_params + accepted * full_step, params)
        with torch.no_grad():
            loss_after, kl_after = self._loss_kl(batch, adv, old_out, old_logp)
        return {"policy_loss": loss.item(), "policy_loss_after": loss_after.item(), "kl": kl_after.item(),
                "step_fraction": accepted, "entropy": entropy.mean().item()}

    def _fit_baseline(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        if self.use_linear:
            self.baseline.fit(batch["obs"], batch["steps"], batch["mc_ret"])
            return {}
        learn, size, losses = self.cfg["learn"], batch["obs"].shape[0], []
        for _ in range(learn["epoch_per_collect"]):
            order = torch.randperm(size, generator=self.learn_generator).to(self.device)
            for start in range(0, size, learn["batch_size"]):
                idx = order[start:start + learn["batch_size"]]
                loss = 0.5 * (self.model.value(batch["obs"][idx]) - batch["ret"][idx]).pow(2).mean()
                self.optimize(loss, self.optimizer, None)
                losses.append(loss.item())
        return {"value_loss": float(np.mean(losses))}

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        adv = batch["adv"]
        if self.cfg["learn"]["center_adv"] and adv.numel() > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        info = self._policy_step(batch, adv)
        target = batch["mc_ret"]
        explained = 1.0 - float((target - batch["value"]).var() / (target.var() + 1e-8))
        info.update(self._fit_baseline(batch), explained_variance=explained, return_mean=target.mean().item())
        return info
