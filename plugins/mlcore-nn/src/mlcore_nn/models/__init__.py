"""Models of mlcore-nn part 2 (estimators): bernoulli_vae, wgan_gp, word2vec. Imported lazily."""
